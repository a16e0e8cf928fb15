/*
 * hash.c
 *		The canonical encoding of a row and its SHA-256 hash in a hash chain.
 *
 *	row hash = SHA-256(previous row's hash || encoding of the row)
 *
 * The previous hash of a chain's first row is 32 zero bytes.  The encoding
 * is the concatenation of the encodings of the row's columns in the byte
 * order of their names, leaving out dropped and stored generated columns
 * (computed from the others, after the triggers), the columns hash and
 * prev_hash and every column whose value is NULL (so adding a nullable column
 * keeps old rows' hashes).  A column's encoding is
 *
 *	uint32 length of name || name || 0x01 || uint32 length || value bytes
 *	uint32 length of name || name || 0x02 || SHA-256(value bytes)
 *
 * with integers big-endian and names in the database encoding.  Values of
 * the types that hold free text and documents (text, varchar, char, bytea,
 * json, jsonb, xml), which redaction may have to erase, enter as their
 * digest (0x02), so that a row stays verifiable from the digest alone;
 * every other value as its bytes (0x01).  The value bytes are PostgreSQL's
 * binary send format (what COPY BINARY writes), except that the text types,
 * json and xml give their characters in the database encoding, jsonb and
 * enums their text (jsonb's output, an enum's label), name its characters
 * up to the terminating zero, and every NaN of float4, float8 and the
 * coordinates of path, polygon and circle the bits of 'NaN' (7fc00000,
 * 7ff8000000000000), which is what a dump restores.  OID alias types
 * (regclass ...) are refused: a dump and restore changes their OIDs, a
 * rename the names they stand for.  None depends on DateStyle,
 * TimeZone, IntervalStyle, extra_float_digits, bytea_output,
 * client_encoding, lc_* or search_path.  README.md ("Hash chains") has the
 * same with a worked example.
 *
 * SHA-256 comes from sha256.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "hash.h"
#include "registry.h"
#include "sha256.h"

/*
 * The type categories (pg_type.typcategory) whose binary send format
 * depends on no setting and names no OID: booleans, numbers, date/time,
 * network addresses, bit strings, geometry and ranges ("U" is left out: it
 * holds tsvector, whose send format follows client_encoding; uuid and
 * macaddr, also "U", are taken as they are stored).
 */
#define SEND_CATEGORIES "BNDTIVGR"

/*
 * The bits every NaN enters as: those of 'NaN'::float8 and 'NaN'::real,
 * which a dump restores whatever bits the NaN had (a computed one, or a
 * negated one, has the sign bit set).
 */
#define CANONICAL_NAN8	UINT64CONST(0x7FF8000000000000)
#define CANONICAL_NAN4	0x7FC00000

/* How a column's value becomes bytes. */
typedef enum ValueBytes
{
	BYTES_BIG_ENDIAN,			/* a pass-by-value number: its typlen bytes */
	BYTES_FLOAT,				/* float4, float8: their bits, NaN canonical */
	BYTES_RAW,					/* fixed-length by reference: as stored */
	BYTES_CSTRING,				/* name: up to the zero */
	BYTES_VARLENA,				/* text types, bytea: the data, detoasted */
	BYTES_OUTPUT,				/* jsonb, enums: the output function's text */
	BYTES_SEND,					/* the rest: the binary send function */
	BYTES_GEOMETRY				/* geometric types: send format, NaN canonical */
} ValueBytes;

typedef struct EncodedColumn
{
	AttrNumber	attnum;
	const char *name;
	char	   *header;			/* uint32 length of name || name */
	int			header_len;
	bool		digested;		/* enters as SHA-256 of its bytes */
	ValueBytes	bytes;
	int16		typlen;
	int			coordinates;	/* BYTES_GEOMETRY: where the float8s start */
	FmgrInfo	func;			/* output or send function */
} EncodedColumn;

struct RowEncoder
{
	int			ncolumns;
	EncodedColumn *columns;		/* in the byte order of their names */
};

/* ----------------------------------------------------------------------
 * The encoder of a table
 * ---------------------------------------------------------------------- */

/*
 * Refuse a column of an OID alias type (regclass, regtype ...) with 0A000:
 * its value is an OID, which a dump and restore changes, standing for a
 * name, which a rename changes; encoded either way, honest rows would fail
 * verification (issue 11 item 12).
 */
static void
refuse_oid_alias(Oid typid, const char *column)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("column \"%s\" has type %s, which hash chains do not support",
					column, format_type_be(typid)),
			 errdetail("A value of an OID alias type is an OID, which a dump and restore changes, standing for a name, which a rename changes."),
			 errhint("Store the object's name as text.")));
}

/* Decide how values of type typid become bytes; 0A000 when unsupported. */
static ValueBytes
value_bytes(Oid typid, const char *column, Oid *func)
{
	HeapTuple	tuple;
	Form_pg_type type;
	ValueBytes	result;

	tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for type %u", typid);
	type = (Form_pg_type) GETSTRUCT(tuple);
	*func = InvalidOid;
	switch (typid)
	{
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case JSONOID:
		case XMLOID:
		case BYTEAOID:
			result = BYTES_VARLENA;
			break;
		case NAMEOID:
			result = BYTES_CSTRING;
			break;
		case UUIDOID:
		case MACADDROID:
		case MACADDR8OID:
			result = BYTES_RAW;
			break;
		case JSONBOID:
			result = BYTES_OUTPUT;
			*func = type->typoutput;
			break;
		case FLOAT4OID:
		case FLOAT8OID:
			result = BYTES_FLOAT;
			break;
		case REGPROCOID:
		case REGPROCEDUREOID:
		case REGOPEROID:
		case REGOPERATOROID:
		case REGCLASSOID:
		case REGTYPEOID:
		case REGCONFIGOID:
		case REGDICTIONARYOID:
		case REGNAMESPACEOID:
		case REGROLEOID:
		case REGCOLLATIONOID:
			refuse_oid_alias(typid, column);
			pg_unreachable();
		default:
			if (type->typtype == TYPTYPE_ENUM)
			{
				result = BYTES_OUTPUT;
				*func = type->typoutput;
			}
			else if (typid >= FirstNormalObjectId || !OidIsValid(type->typsend) ||
					 OidIsValid(type->typelem) || type->typtype == TYPTYPE_COMPOSITE ||
					 type->typtype == TYPTYPE_PSEUDO ||
					 strchr(SEND_CATEGORIES, type->typcategory) == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("column \"%s\" has type %s, which hash chains do not support",
								column, format_type_be(typid)),
						 errdetail("Hash chains encode built-in scalar and range types, enums and domains over them, but not arrays, composite types or other extensions' types."),
						 errhint("Store the value as text, jsonb or bytea.")));
			else if (type->typbyval)
				result = BYTES_BIG_ENDIAN;
			else
			{
				result = type->typcategory == TYPCATEGORY_GEOMETRIC ?
					BYTES_GEOMETRY : BYTES_SEND;
				*func = type->typsend;
			}
	}
	ReleaseSysCache(tuple);
	return result;
}

/* Build the column's header: the length of its name and the name. */
static void
column_header(EncodedColumn *column)
{
	uint32		len = strlen(column->name);
	uint32		be = pg_hton32(len);

	column->header_len = sizeof(be) + len;
	column->header = palloc(column->header_len);
	memcpy(column->header, &be, sizeof(be));
	memcpy(column->header + sizeof(be), column->name, len);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(((const EncodedColumn *) a)->name, ((const EncodedColumn *) b)->name);
}

/*
 * Return the encoder of rows of desc, every column but the hash columns
 * (attribute numbers hash and prev_hash), in cxt.  Raises 0A000 for a
 * column type hash chains do not support (arrays, composites, types of
 * other extensions).
 */
RowEncoder *
HashRowEncoder(TupleDesc desc, AttrNumber hash, AttrNumber prev_hash, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	RowEncoder *encoder = palloc(sizeof(RowEncoder));
	int			i;

	encoder->columns = palloc(sizeof(EncodedColumn) * desc->natts);
	encoder->ncolumns = 0;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		EncodedColumn *column;
		Oid			typid;
		Oid			func;

		/*
		 * stored generated columns follow from the others, and are computed
		 * after the triggers
		 */
		if (att->attisdropped || att->attgenerated || att->attnum == hash ||
			att->attnum == prev_hash)
			continue;
		column = &encoder->columns[encoder->ncolumns++];
		typid = getBaseType(att->atttypid);
		column->attnum = att->attnum;
		column->name = pstrdup(NameStr(att->attname));
		column->typlen = get_typlen(typid);
		column->bytes = value_bytes(typid, column->name, &func);
		column->digested = column->bytes == BYTES_VARLENA || typid == JSONBOID;
		/* path: closed flag and number of points; polygon: number of points */
		column->coordinates = typid == PATHOID ? 5 : typid == POLYGONOID ? 4 : 0;
		column_header(column);
		if (OidIsValid(func))
			fmgr_info_cxt(func, &column->func, cxt);
	}
	qsort(encoder->columns, encoder->ncolumns, sizeof(EncodedColumn), compare_names);
	MemoryContextSwitchTo(old);
	return encoder;
}

/* ----------------------------------------------------------------------
 * Encoding a row
 * ---------------------------------------------------------------------- */

/*
 * Make room for len more bytes at the end of buf and return where they go.
 * appendBinaryStringInfo calls enlargeStringInfo for every value, which
 * showed in verify_chain's profile (with the copies, a fifth of a row of
 * fixed-length columns); this checks the room inline.  The encoding is not
 * terminated by a zero byte: it is hashed, never read as a string.
 */
static inline char *
reserve(StringInfo buf, int len)
{
	char	   *at;

	if (buf->len + len >= buf->maxlen)
		enlargeStringInfo(buf, len);
	at = buf->data + buf->len;
	buf->len += len;
	return at;
}

/* Append len bytes of data to buf. */
static inline void
append_bytes(StringInfo buf, const void *data, int len)
{
	memcpy(reserve(buf, len), data, len);
}

/* Store value as a big-endian integer of len bytes at at. */
static inline void
store_big_endian(char *at, uint64 value, int len)
{
	int			i;

	for (i = len - 1; i >= 0; i--)
	{
		at[i] = (char) (value & 0xFF);
		value >>= 8;
	}
}

/* Return the bits of float4 or float8 value (len bytes), NaN canonical. */
static uint64
float_bits(Datum value, int len)
{
	if (len == sizeof(float8))
	{
		float8		f = DatumGetFloat8(value);
		uint64		bits;

		memcpy(&bits, &f, sizeof(bits));
		return isnan(f) ? CANONICAL_NAN8 : bits;
	}
	else
	{
		float4		f = DatumGetFloat4(value);
		uint32		bits;

		memcpy(&bits, &f, sizeof(bits));
		return isnan(f) ? CANONICAL_NAN4 : bits;
	}
}

/*
 * Replace every NaN among the big-endian float8s of data (len bytes, a
 * geometric type's coordinates) by the canonical one.
 */
static void
canonical_nans(char *data, int len)
{
	int			i;

	for (i = 0; i + (int) sizeof(uint64) <= len; i += sizeof(uint64))
	{
		uint64		bits;

		memcpy(&bits, data + i, sizeof(bits));
		bits = pg_ntoh64(bits);
		if ((bits & UINT64CONST(0x7FF0000000000000)) == UINT64CONST(0x7FF0000000000000) &&
			(bits & UINT64CONST(0x000FFFFFFFFFFFFF)) != 0)
		{
			bits = pg_hton64(CANONICAL_NAN8);
			memcpy(data + i, &bits, sizeof(bits));
		}
	}
}

/*
 * Point *data and *len at the value bytes of column's value, allocated in
 * the current memory context when they are not the value's own.
 */
static void
value_data(EncodedColumn *column, Datum value, const char **data, int *len)
{
	struct varlena *v;

	switch (column->bytes)
	{
		case BYTES_RAW:
			*data = DatumGetPointer(value);
			*len = column->typlen;
			return;
		case BYTES_CSTRING:
			*data = DatumGetCString(value);
			*len = strlen(*data);
			return;
		case BYTES_VARLENA:
			v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));
			*data = VARDATA_ANY(v);
			*len = VARSIZE_ANY_EXHDR(v);
			return;
		case BYTES_OUTPUT:
			*data = OutputFunctionCall(&column->func, value);
			*len = strlen(*data);
			return;
		case BYTES_SEND:
		case BYTES_GEOMETRY:
			v = (struct varlena *) SendFunctionCall(&column->func, value);
			*data = VARDATA(v);
			*len = VARSIZE(v) - VARHDRSZ;
			if (column->bytes == BYTES_GEOMETRY && *len > column->coordinates)
				canonical_nans(VARDATA(v) + column->coordinates, *len - column->coordinates);
			return;
		case BYTES_BIG_ENDIAN:
		case BYTES_FLOAT:
			break;
	}
	elog(ERROR, "unexpected value encoding %d", (int) column->bytes);
}

/* Append the encoding of one non-NULL column value to buf. */
static void
append_column(StringInfo buf, EncodedColumn *column, Datum value)
{
	const char *data;
	int			len;
	uint8		digest[SHA256_LENGTH];
	char	   *at;

	if (column->bytes == BYTES_BIG_ENDIAN || column->bytes == BYTES_FLOAT)
	{
		/* header || 0x01 || uint32 typlen || the value, in one piece */
		at = reserve(buf, column->header_len + 1 + sizeof(uint32) + column->typlen);
		memcpy(at, column->header, column->header_len);
		at += column->header_len;
		*at++ = 0x01;
		store_big_endian(at, column->typlen, sizeof(uint32));
		store_big_endian(at + sizeof(uint32),
						 column->bytes == BYTES_FLOAT ? float_bits(value, column->typlen) :
						 (uint64) value, column->typlen);
		return;
	}
	append_bytes(buf, column->header, column->header_len);
	value_data(column, value, &data, &len);
	if (!column->digested)
	{
		at = reserve(buf, 1 + sizeof(uint32));
		at[0] = 0x01;
		store_big_endian(at + 1, len, sizeof(uint32));
		append_bytes(buf, data, len);
		return;
	}
	Sha256(data, len, digest);
	at = reserve(buf, 1 + sizeof(digest));
	at[0] = 0x02;
	memcpy(at + 1, digest, sizeof(digest));
}

/*
 * Compute the hash of a row (values and isnull of its table's attributes,
 * indexed by attnum - 1) whose previous row's hash is prev (HASH_LENGTH
 * bytes, zeros for a chain's first row) into out.  buf is a work buffer,
 * reset here.
 */
void
HashRow(RowEncoder *encoder, const uint8 *prev, Datum *values, bool *isnull,
		uint8 *const *redacted, StringInfo buf, uint8 *out)
{
	int			i;

	resetStringInfo(buf);
	append_bytes(buf, prev, HASH_LENGTH);
	for (i = 0; i < encoder->ncolumns; i++)
	{
		EncodedColumn *column = &encoder->columns[i];
		int			att = column->attnum - 1;

		if (!isnull[att])
			append_column(buf, column, values[att]);
		else if (redacted != NULL && redacted[att] != NULL)
		{
			/* an erased value enters as the digest it had */
			append_bytes(buf, column->header, column->header_len);
			append_bytes(buf, "\x02", 1);
			append_bytes(buf, redacted[att], HASH_LENGTH);
		}
	}
	Sha256(buf->data, buf->len, out);
}

/*
 * Compute into out the digest value (not NULL) of column attnum has in the
 * encoding, which is what represents it once redaction erased it; 0A000
 * when values of its type enter as bytes and cannot be erased.
 */
void
HashValueDigest(RowEncoder *encoder, AttrNumber attnum, Datum value, uint8 *out)
{
	int			i;
	const char *data;
	int			len;

	for (i = 0; i < encoder->ncolumns; i++)
	{
		EncodedColumn *column = &encoder->columns[i];

		if (column->attnum != attnum)
			continue;
		if (!column->digested)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column \"%s\" cannot be redacted from a hash-chained table",
							column->name),
					 errdetail("Only values of text, varchar, char, bytea, json, jsonb and xml columns enter the hashes as digests that can stand for them once erased."),
					 errhint("Keep personal data in columns of those types.")));
		value_data(column, value, &data, &len);
		Sha256(data, len, out);
		return;
	}
	elog(ERROR, "column %d is not encoded", attnum);
}

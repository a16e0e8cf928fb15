/*
 * uuidv7.c
 *		RFC 9562 version 7 UUIDs with the semantics of PostgreSQL 18's
 *		uuidv7(), uuidv7(interval), uuid_extract_timestamp(uuid) and
 *		uuid_extract_version(uuid), plus uuidv7_at(timestamptz) for backfills.
 *
 * Layout of a version 7 UUID (RFC 9562 section 5.7), big-endian:
 *
 *	 48 bits  unix_ts_ms	Unix time in milliseconds
 *	  4 bits  ver			7
 *	 12 bits  rand_a		sub-millisecond fraction in 1/4096 ms (RFC 9562
 *							section 6.2, method 3), as PostgreSQL 18 does
 *	  2 bits  var			binary 10
 *	 62 bits  rand_b		random, from pg_strong_random
 *
 * Within a backend the time source never repeats or goes back: each call
 * takes at least the previous nanosecond timestamp plus the smallest step
 * that still changes the 12-bit fraction (1/4096 ms, rounded up), so UUIDs
 * made by one backend are strictly increasing even for millions of calls in
 * one millisecond or after the system clock steps back.
 *
 * pg_strong_random costs far more than the rest of a UUID, so random bytes
 * are drawn from it in batches into a per-process buffer.  The buffer
 * remembers the process that filled it and is thrown away in any other
 * process, so a child forked from a postmaster that preloaded this library
 * never reuses its parent's bytes.
 */
#include "postgres.h"

#include <time.h>

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "port/pg_bswap.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

#include "uuidv7.h"

PG_FUNCTION_INFO_V1(immutable_uuidv7);
PG_FUNCTION_INFO_V1(immutable_uuidv7_shift);
PG_FUNCTION_INFO_V1(immutable_uuidv7_at);
PG_FUNCTION_INFO_V1(immutable_uuid_extract_timestamp);
PG_FUNCTION_INFO_V1(immutable_uuid_extract_version);

#define UUIDV7_NS_PER_US	INT64CONST(1000)
#define UUIDV7_NS_PER_MS	INT64CONST(1000000)
#define UUIDV7_NS_PER_S		INT64CONST(1000000000)
#define UUIDV7_US_PER_MS	INT64CONST(1000)

/* Bits of sub-millisecond fraction kept in rand_a. */
#define UUIDV7_SUBMS_BITS	12

/* Smallest nanosecond step that always increases the 12-bit fraction. */
#define UUIDV7_MIN_STEP_NS \
	(UUIDV7_NS_PER_MS / (INT64CONST(1) << UUIDV7_SUBMS_BITS) + 1)

/* Largest millisecond count the 48-bit unix_ts_ms field holds. */
#define UUIDV7_MAX_UNIX_MS	((INT64CONST(1) << 48) - 1)

/* Microseconds from the Unix epoch to the PostgreSQL epoch (2000-01-01). */
#define UUIDV7_UNIX_TO_PG_US \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * \
	 USECS_PER_SEC)

/* 100 ns ticks of a version 1 UUID start at 1582-10-15 (Julian day). */
#define UUIDV1_EPOCH_JDATE	INT64CONST(2299161)

/* Microseconds from the version 1 epoch to the PostgreSQL epoch. */
#define UUIDV1_TO_PG_US \
	((POSTGRES_EPOCH_JDATE - UUIDV1_EPOCH_JDATE) * SECS_PER_DAY * \
	 USECS_PER_SEC)

/* Bytes of random data fetched from pg_strong_random at a time. */
#define RANDOM_BUFFER_SIZE	4096

/*
 * Per-process buffer of strong random bytes, consumed 8 bytes at a time:
 * random_next is the next unused word, random_pid the process that filled
 * the buffer (it starts out empty).
 */
static uint64 random_buffer[RANDOM_BUFFER_SIZE / sizeof(uint64)];
static int	random_next = (int) lengthof(random_buffer);
static int	random_pid = 0;

/* Last nanosecond timestamp handed out by clock_ns_ascending. */
static int64 previous_ns = 0;

static void random_refill(void);
static inline uint64 random_word(void);
static inline int64 clock_ns_ascending(void);
static inline void uuidv7_fill(pg_uuid_t *uuid, uint64 unix_ms,
							   uint32 fraction);
static pg_uuid_t *uuidv7_from_timestamptz(TimestampTz ts, int64 extra_ns);
static void uuidv7_out_of_range(void);

/*
 * Fill the random buffer from pg_strong_random for this process.
 */
static void
random_refill(void)
{
	/* mark the buffer empty first, so a failure leaves nothing to reuse */
	random_next = (int) lengthof(random_buffer);

	if (!pg_strong_random(random_buffer, sizeof(random_buffer)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random values")));

	random_pid = MyProcPid;
	random_next = 0;
}

/*
 * Return 64 strong random bits, never the same bytes twice in any process.
 */
static inline uint64
random_word(void)
{
	if (unlikely(random_next >= (int) lengthof(random_buffer) ||
				 random_pid != MyProcPid))
		random_refill();

	return random_buffer[random_next++];
}

/*
 * Return the real time in nanoseconds since the Unix epoch, at least one
 * fraction step (1/4096 ms) after the value returned by the previous call in
 * this backend.
 */
static inline int64
clock_ns_ascending(void)
{
	int64		ns;

#ifdef WIN32
	struct timeval tv;

	gettimeofday(&tv, NULL);
	ns = (int64) tv.tv_sec * UUIDV7_NS_PER_S +
		(int64) tv.tv_usec * UUIDV7_NS_PER_US;
#else
	struct timespec ts;

	/* CLOCK_REALTIME has nanosecond resolution where gettimeofday has not */
	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (int64) ts.tv_sec * UUIDV7_NS_PER_S + (int64) ts.tv_nsec;
#endif

	/*
	 * Same rule as PostgreSQL 18: when the clock has not moved on by a full
	 * step (many calls in one tick, or the clock stepped back), continue from
	 * the previous value instead.
	 */
	if (ns < previous_ns + UUIDV7_MIN_STEP_NS)
		ns = previous_ns + UUIDV7_MIN_STEP_NS;
	previous_ns = ns;

	return ns;
}

/*
 * Write a version 7 UUID with the given Unix milliseconds and 12-bit
 * sub-millisecond fraction into *uuid, the other bits random.
 */
static inline void
uuidv7_fill(pg_uuid_t *uuid, uint64 unix_ms, uint32 fraction)
{
	uint64		hi;
	uint64		lo;

	/* unix_ts_ms (48) | ver (4) | rand_a = fraction (12) */
	hi = (unix_ms << 16) | UINT64CONST(0x7000) | (fraction & 0x0FFF);

	/* var (2) = 10 | rand_b (62) */
	lo = (random_word() & UINT64CONST(0x3FFFFFFFFFFFFFFF)) |
		UINT64CONST(0x8000000000000000);

	hi = pg_hton64(hi);
	lo = pg_hton64(lo);
	memcpy(&uuid->data[0], &hi, sizeof(hi));
	memcpy(&uuid->data[8], &lo, sizeof(lo));
}

/*
 * Report a time that a version 7 UUID cannot hold.
 */
static void
uuidv7_out_of_range(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("timestamp out of range for a version 7 UUID"),
			 errdetail("A version 7 UUID holds times from 1970-01-01 00:00:00 UTC to 10889-08-02 05:31:50.655 UTC.")));
}

/*
 * Build a version 7 UUID for the finite time ts plus extra_ns (0..999)
 * nanoseconds; 22008 when the 48-bit millisecond field cannot hold it.
 */
static pg_uuid_t *
uuidv7_from_timestamptz(TimestampTz ts, int64 extra_ns)
{
	pg_uuid_t  *uuid;
	int64		unix_us;
	int64		subms_ns;

	/* compare before converting: ts + the epoch offset can overflow int64 */
	if (ts < -UUIDV7_UNIX_TO_PG_US ||
		ts > UUIDV7_MAX_UNIX_MS * UUIDV7_US_PER_MS + (UUIDV7_US_PER_MS - 1) -
		UUIDV7_UNIX_TO_PG_US)
		uuidv7_out_of_range();

	unix_us = ts + UUIDV7_UNIX_TO_PG_US;
	subms_ns = (unix_us % UUIDV7_US_PER_MS) * UUIDV7_NS_PER_US + extra_ns;

	uuid = (pg_uuid_t *) palloc(UUID_LEN);
	uuidv7_fill(uuid, (uint64) (unix_us / UUIDV7_US_PER_MS),
				(uint32) ((subms_ns << UUIDV7_SUBMS_BITS) / UUIDV7_NS_PER_MS));
	return uuid;
}

/*
 * Return a new version 7 UUID for the current time, palloc'd in
 * CurrentMemoryContext; strictly greater than the previous one made by this
 * backend.
 */
pg_uuid_t *
Uuidv7Generate(void)
{
	pg_uuid_t  *uuid = (pg_uuid_t *) palloc(UUID_LEN);
	int64		ns = clock_ns_ascending();

	uuidv7_fill(uuid, (uint64) (ns / UUIDV7_NS_PER_MS),
				(uint32) (((ns % UUIDV7_NS_PER_MS) << UUIDV7_SUBMS_BITS) /
						  UUIDV7_NS_PER_MS));
	return uuid;
}

/*
 * immutable.uuidv7() returns uuid
 *
 * Returns a new version 7 UUID for the current time: 48 bits of Unix time in
 * milliseconds, 12 bits of sub-millisecond fraction (units of 1/4096 ms),
 * 62 random bits.  Strictly increasing within a backend.
 * Errors: XX000 (internal_error) only if pg_strong_random fails.
 * Semantics: RFC 9562 section 5.7 and 6.2 method 3, as PostgreSQL 18's
 * uuidv7().
 */
Datum
immutable_uuidv7(PG_FUNCTION_ARGS)
{
	PG_RETURN_UUID_P(Uuidv7Generate());
}

/*
 * immutable.uuidv7(shift interval) returns uuid
 *
 * Returns a new version 7 UUID whose time is the current time plus shift,
 * added as timestamptz + interval does (months and days calendar-wise in the
 * session time zone, the rest in microseconds).  The nanoseconds below
 * the microsecond are carried over from the clock.  The clock read advances
 * the backend's ascending clock like uuidv7() does.
 * Errors: 22008 (datetime_field_overflow) when the shifted time is not
 * finite, before 1970-01-01 or past the 48-bit millisecond range (year
 * 10889); XX000 if pg_strong_random fails.
 * Semantics: PostgreSQL 18's uuidv7(interval), which raises 22008 for the
 * same range (18.6; sql/pg18_uuid.sql compares the two).
 */
Datum
immutable_uuidv7_shift(PG_FUNCTION_ARGS)
{
	Interval   *shift = PG_GETARG_INTERVAL_P(0);
	int64		ns = clock_ns_ascending();
	TimestampTz ts;

	ts = (TimestampTz) (ns / UUIDV7_NS_PER_US) - UUIDV7_UNIX_TO_PG_US;
	ts = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_pl_interval,
												 TimestampTzGetDatum(ts),
												 IntervalPGetDatum(shift)));
	if (TIMESTAMP_NOT_FINITE(ts))
		uuidv7_out_of_range();

	PG_RETURN_UUID_P(uuidv7_from_timestamptz(ts, ns % UUIDV7_NS_PER_US));
}

/*
 * immutable.uuidv7_at(at timestamptz) returns uuid
 *
 * Returns a new version 7 UUID for the given time: unix_ts_ms is at in whole
 * milliseconds, the 12-bit fraction comes from its microseconds within the
 * millisecond (floor(us * 4096 / 1000), so distinct microseconds sort in
 * order), the remaining 62 bits are random.  Does not touch the backend's
 * ascending clock, so it is not ordered against uuidv7().
 * Errors: 22008 (datetime_field_overflow) for infinite times, times before
 * 1970-01-01 00:00:00 UTC and times after 10889-08-02 05:31:50.655999 UTC;
 * XX000 if pg_strong_random fails.
 * Semantics: RFC 9562 section 5.7 and 6.2 method 3 (no PostgreSQL 18
 * counterpart).
 */
Datum
immutable_uuidv7_at(PG_FUNCTION_ARGS)
{
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(0);

	if (TIMESTAMP_NOT_FINITE(at))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for a version 7 UUID"),
				 errdetail("A version 7 UUID cannot hold an infinite time.")));

	PG_RETURN_UUID_P(uuidv7_from_timestamptz(at, 0));
}

/*
 * immutable.uuid_extract_timestamp(uuid) returns timestamptz
 *
 * Returns the time stored in an RFC 9562 variant UUID of version 1 (60-bit
 * count of 100 ns since 1582-10-15, truncated to microseconds) or version 7
 * (48-bit Unix milliseconds); NULL for any other version or variant.
 * Errors: none.
 * Semantics: PostgreSQL 18's uuid_extract_timestamp(uuid).
 */
Datum
immutable_uuid_extract_timestamp(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *uuid = PG_GETARG_UUID_P(0);
	const unsigned char *d = uuid->data;
	uint64		ticks;

	/* RFC 9562 variant: top two bits of octet 8 are 10 */
	if ((d[8] & 0xC0) != 0x80)
		PG_RETURN_NULL();

	switch (d[6] >> 4)
	{
		case 1:
			/* time_low (32), time_mid (16), time_high (12) */
			ticks = ((uint64) (d[6] & 0x0F) << 56) |
				((uint64) d[7] << 48) |
				((uint64) d[4] << 40) |
				((uint64) d[5] << 32) |
				((uint64) d[0] << 24) |
				((uint64) d[1] << 16) |
				((uint64) d[2] << 8) |
				(uint64) d[3];
			PG_RETURN_TIMESTAMPTZ((TimestampTz) (ticks / 10) -
								  UUIDV1_TO_PG_US);

		case 7:
			ticks = ((uint64) d[0] << 40) |
				((uint64) d[1] << 32) |
				((uint64) d[2] << 24) |
				((uint64) d[3] << 16) |
				((uint64) d[4] << 8) |
				(uint64) d[5];
			PG_RETURN_TIMESTAMPTZ((TimestampTz) ticks * UUIDV7_US_PER_MS -
								  UUIDV7_UNIX_TO_PG_US);

		default:
			/* no timestamp that PostgreSQL 18 extracts */
			PG_RETURN_NULL();
	}
}

/*
 * immutable.uuid_extract_version(uuid) returns smallint
 *
 * Returns the 4-bit version field (0..15) of an RFC 9562 variant UUID, NULL
 * for other variants.
 * Errors: none.
 * Semantics: PostgreSQL 18's uuid_extract_version(uuid).
 */
Datum
immutable_uuid_extract_version(PG_FUNCTION_ARGS)
{
	pg_uuid_t  *uuid = PG_GETARG_UUID_P(0);

	if ((uuid->data[8] & 0xC0) != 0x80)
		PG_RETURN_NULL();

	PG_RETURN_INT16((int16) (uuid->data[6] >> 4));
}

/*
 * sha256.c
 *		SHA-256 (FIPS 180-4) of a byte string: through OpenSSL's libcrypto
 *		when the server was built with OpenSSL, the algorithm fetched once per
 *		backend; through PostgreSQL's cryptohash API otherwise.
 *
 * With OpenSSL 3, PostgreSQL's cryptohash API fetches the algorithm again at
 * every initialisation (a name lookup under locks), which measured 16% of
 * verify_chain's profile; a digest fetched once, initialised with
 * EVP_DigestInit_ex2, costs half as much per 150-byte input.  Both paths give
 * the same bytes: the regression tests compare row hashes with PostgreSQL's
 * sha256(), which is the cryptohash API.
 */
#include "postgres.h"

#ifdef USE_OPENSSL
#include <openssl/evp.h>
#else
#include "access/xact.h"
#include "common/cryptohash.h"
#include "utils/resowner.h"
#endif

#include "sha256.h"

/* Raise XX000: the library could not compute a digest. */
static void
report_failure(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not compute SHA-256: %s", why)));
}

#ifdef USE_OPENSSL

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
static EVP_MD *sha256_md = NULL;
#else
static const EVP_MD *sha256_md = NULL;
#endif
static EVP_MD_CTX *sha256_ctx = NULL;

/*
 * Compute SHA-256 of data (len bytes) into out (SHA256_LENGTH bytes), with a
 * digest and a context made at the first call and kept for the backend.
 */
void
Sha256(const void *data, size_t len, uint8 *out)
{
	unsigned int outlen;

	if (sha256_ctx == NULL)
	{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
		sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
#else
		sha256_md = EVP_sha256();
#endif
		if (sha256_md == NULL)
			report_failure("OpenSSL has no SHA-256");
		sha256_ctx = EVP_MD_CTX_new();
		if (sha256_ctx == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
	}
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	if (EVP_DigestInit_ex2(sha256_ctx, sha256_md, NULL) != 1)
#else
	if (EVP_DigestInit_ex(sha256_ctx, sha256_md, NULL) != 1)
#endif
		report_failure("the digest could not be initialised");
	if (EVP_DigestUpdate(sha256_ctx, data, len) != 1 ||
		EVP_DigestFinal_ex(sha256_ctx, out, &outlen) != 1 ||
		outlen != SHA256_LENGTH)
		report_failure("the digest failed");
}

#else							/* !USE_OPENSSL */

/* One context per transaction (an allocation and a resource owner entry). */
static pg_cryptohash_ctx *context = NULL;
static bool callback_registered = false;

/* Free the transaction's context at its end. */
static void
free_context(XactEvent event, void *arg)
{
	if (event != XACT_EVENT_PRE_COMMIT && event != XACT_EVENT_PARALLEL_PRE_COMMIT &&
		event != XACT_EVENT_ABORT && event != XACT_EVENT_PARALLEL_ABORT &&
		event != XACT_EVENT_PRE_PREPARE)
		return;
	if (context != NULL)
		pg_cryptohash_free(context);
	context = NULL;
}

/* Return the transaction's context, made on first use. */
static pg_cryptohash_ctx *
transaction_context(void)
{
	ResourceOwner save = CurrentResourceOwner;

	if (context != NULL)
		return context;
	if (!callback_registered)
	{
		RegisterXactCallback(free_context, NULL);
		callback_registered = true;
	}
	CurrentResourceOwner = TopTransactionResourceOwner;
	context = pg_cryptohash_create(PG_SHA256);
	CurrentResourceOwner = save;
	if (context == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	return context;
}

/* Compute SHA-256 of data (len bytes) into out (SHA256_LENGTH bytes). */
void
Sha256(const void *data, size_t len, uint8 *out)
{
	pg_cryptohash_ctx *ctx = transaction_context();

	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, data, len) < 0 ||
		pg_cryptohash_final(ctx, out, SHA256_LENGTH) < 0)
		report_failure(pg_cryptohash_error(ctx));
}

#endif							/* USE_OPENSSL */

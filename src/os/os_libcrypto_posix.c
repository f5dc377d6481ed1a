/* The libcrypto functions sshsync calls, loading OpenSSL's libcrypto on
 * first use (why: os_dynlib_posix.c): SHA-256 for the journal of apply and
 * undo, the arithmetic and hashed names of host keys for migrate. An audit
 * never loads it. Prototypes are OpenSSL's own (its headers are included,
 * so the compiler checks them); a new call elsewhere fails to link until
 * it is listed here. */
/* SHA256_Init and its kin (why: os_sys_posix.c). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "os_int.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <string.h>

/* F(return type, name, parameters, arguments); V for a void function. */
#define LIBCRYPTO_FUNCTIONS(F, V)                                                                  \
	V(BN_CTX_free, (BN_CTX * c), (c))                                                          \
	F(BN_CTX *, BN_CTX_new, (void), ())                                                        \
	F(int, BN_add_word, (BIGNUM * a, BN_ULONG w), (a, w))                                      \
	F(BIGNUM *, BN_bin2bn, (const unsigned char *s, int len, BIGNUM *ret), (s, len, ret))      \
	F(int, BN_bn2bin, (const BIGNUM *a, unsigned char *to), (a, to))                           \
	F(int, BN_bn2binpad, (const BIGNUM *a, unsigned char *to, int tolen), (a, to, tolen))      \
	F(char *, BN_bn2hex, (const BIGNUM *a), (a))                                               \
	F(int, BN_cmp, (const BIGNUM *a, const BIGNUM *b), (a, b))                                 \
	F(BIGNUM *, BN_copy, (BIGNUM * a, const BIGNUM *b), (a, b))                                \
	V(BN_free, (BIGNUM * a), (a))                                                              \
	F(int, BN_hex2bn, (BIGNUM * *a, const char *str), (a, str))                                \
	F(int, BN_is_odd, (const BIGNUM *a), (a))                                                  \
	F(int, BN_is_zero, (const BIGNUM *a), (a))                                                 \
	F(int, BN_mod_exp,                                                                         \
	  (BIGNUM * r, const BIGNUM *a, const BIGNUM *p, const BIGNUM *m, BN_CTX *ctx),            \
	  (r, a, p, m, ctx))                                                                       \
	F(BIGNUM *, BN_mod_inverse, (BIGNUM * r, const BIGNUM *a, const BIGNUM *n, BN_CTX *ctx),   \
	  (r, a, n, ctx))                                                                          \
	F(int, BN_mod_mul,                                                                         \
	  (BIGNUM * r, const BIGNUM *a, const BIGNUM *b, const BIGNUM *m, BN_CTX *ctx),            \
	  (r, a, b, m, ctx))                                                                       \
	F(int, BN_mod_sqr, (BIGNUM * r, const BIGNUM *a, const BIGNUM *m, BN_CTX *ctx),            \
	  (r, a, m, ctx))                                                                          \
	F(BIGNUM *, BN_new, (void), ())                                                            \
	F(int, BN_nnmod, (BIGNUM * r, const BIGNUM *m, const BIGNUM *d, BN_CTX *ctx),              \
	  (r, m, d, ctx))                                                                          \
	F(int, BN_num_bits, (const BIGNUM *a), (a))                                                \
	F(int, BN_rshift, (BIGNUM * r, const BIGNUM *a, int n), (r, a, n))                         \
	F(int, BN_set_bit, (BIGNUM * a, int n), (a, n))                                            \
	F(int, BN_set_word, (BIGNUM * a, BN_ULONG w), (a, w))                                      \
	F(int, BN_sub, (BIGNUM * r, const BIGNUM *a, const BIGNUM *b), (r, a, b))                  \
	F(int, BN_sub_word, (BIGNUM * a, BN_ULONG w), (a, w))                                      \
	V(CRYPTO_free, (void *p, const char *file, int line), (p, file, line))                     \
	F(const EVP_MD *, EVP_sha1, (void), ())                                                    \
	F(int, SHA256_Final, (unsigned char *md, SHA256_CTX *c), (md, c))                          \
	F(int, SHA256_Init, (SHA256_CTX * c), (c))                                                 \
	F(int, SHA256_Update, (SHA256_CTX * c, const void *data, size_t len), (c, data, len))      \
	F(unsigned char *, HMAC,                                                                   \
	  (const EVP_MD *md, const void *key, int key_len, const unsigned char *data,              \
	   size_t data_len, unsigned char *out, unsigned int *out_len),                            \
	  (md, key, key_len, data, data_len, out, out_len))

SS_DYNLIB(LIBCRYPTO_FUNCTIONS, SSHSYNC_LIBCRYPTO_SONAME,
	  ", needed for the journal of apply and for host keys")

#define LIBCRYPTO_HAS(ret, name, params, args) ok = ok && ss_os_dynlib_try_symbol(lib, #name);
#define LIBCRYPTO_VOID_HAS(name, params, args) LIBCRYPTO_HAS(void, name, params, args)

int ss_os_libcrypto_loadable(void)
{
	void *lib = ss_os_dynlib_try(SSHSYNC_LIBCRYPTO_SONAME);
	int ok = lib != NULL;
	LIBCRYPTO_FUNCTIONS(LIBCRYPTO_HAS, LIBCRYPTO_VOID_HAS)
	return ok;
}

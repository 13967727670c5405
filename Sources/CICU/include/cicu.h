#ifndef CICU_H
#define CICU_H
/*
 * Unversioned wrappers over ICU's C API.
 *
 * ICU's exported symbols carry a version suffix (ubrk_open_72), so Swift calls only these functions.
 * The header deliberately exposes no ICU type: offsets are byte offsets into UTF-8 buffers, and every
 * ICU error is reported as its raw UErrorCode value (0 = success, > 0 = failure) in an int32_t.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* UTF-8 validation ---------------------------------------------------------------------------- */

/* Byte offset of the first ill-formed sequence (Unicode Table 3-7: no overlongs, no surrogates,
 * nothing above U+10FFFF, no truncated sequence), or -1 when the whole buffer is well-formed. */
int64_t cicu_utf8_invalid_offset(const uint8_t *bytes, int64_t length);

/* NFC normalization (input must be well-formed UTF-8) ------------------------------------------ */

/* 1 when the text is certainly in NFC (the common case, checked without copying or converting
 * ASCII and Latin-1 text), 0 when it may not be and must go through cicu_nfc_utf8. */
int32_t cicu_utf8_is_nfc(const uint8_t *bytes, int64_t length, int32_t *error_code);

/* The NFC form of the text as a malloc'd UTF-8 buffer (release it with cicu_free); its length is
 * stored in *out_length. Returns NULL with *error_code set on failure. length must be < 2^30. */
uint8_t *cicu_nfc_utf8(const uint8_t *bytes, int64_t length, int64_t *out_length, int32_t *error_code);

void cicu_free(void *pointer);

/* Break iteration (input must be well-formed UTF-8) -------------------------------------------- */

typedef enum {
    CICU_BREAK_GRAPHEME = 0, /* extended grapheme clusters (UAX #29) */
    CICU_BREAK_WORD = 1      /* word boundaries (UAX #29 plus ICU's dictionaries for Thai, Japanese, ...) */
} cicu_break_kind;

/* The "no word" rule-status range: ICU's UBRK_WORD_NONE .. UBRK_WORD_NONE_LIMIT (spaces, punctuation). */
#define CICU_WORD_NONE_LIMIT 100

typedef struct cicu_breaker cicu_breaker;

/* A reusable break iterator over the root locale. Not thread-safe: one caller at a time. */
cicu_breaker *cicu_breaker_open(cicu_break_kind kind, int32_t *error_code);
void cicu_breaker_close(cicu_breaker *breaker);

/* Points the iterator at a UTF-8 buffer (no copy, no UTF-16 conversion); the buffer must outlive
 * its use. length must be < 2^31. */
void cicu_breaker_set_text(cicu_breaker *breaker, const uint8_t *bytes, int64_t length, int32_t *error_code);

/* The first boundary after byte offset `offset`, or -1 when there is none. */
int64_t cicu_breaker_following(cicu_breaker *breaker, int64_t offset);

/* The next boundary after the last one returned, or -1 at the end of the text. */
int64_t cicu_breaker_next(cicu_breaker *breaker);

/* ICU's rule status of the segment that ends at the last boundary returned (word kind only). */
int32_t cicu_breaker_rule_status(const cicu_breaker *breaker);

/* Versions ------------------------------------------------------------------------------------- */

/* Dotted version strings, e.g. "72.1" and "15.0"; `capacity` >= 20 is always enough. */
void cicu_icu_version(char *buffer, int32_t capacity);
void cicu_unicode_version(char *buffer, int32_t capacity);

/* Name of an ICU error code, e.g. "U_MISSING_RESOURCE_ERROR". */
const char *cicu_error_name(int32_t error_code);

#ifdef __cplusplus
}
#endif
#endif

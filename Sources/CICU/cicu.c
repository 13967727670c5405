#include "cicu.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>
#include <unicode/uversion.h>

int64_t cicu_utf8_invalid_offset(const uint8_t *s, int64_t n)
{
    int64_t i = 0;
    while (i < n) {
        if (n - i >= 8) {
            uint64_t word;
            memcpy(&word, s + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        uint8_t lead = s[i];
        if (lead < 0x80) {
            i += 1;
            continue;
        }
        /* Table 3-7: the second byte's range depends on the lead byte; later bytes are 80..BF. */
        int trail;
        uint8_t low = 0x80, high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            trail = 1;
        } else if (lead == 0xE0) {
            trail = 2; low = 0xA0;
        } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
            trail = 2;
        } else if (lead == 0xED) {
            trail = 2; high = 0x9F;
        } else if (lead == 0xF0) {
            trail = 3; low = 0x90;
        } else if (lead >= 0xF1 && lead <= 0xF3) {
            trail = 3;
        } else if (lead == 0xF4) {
            trail = 3; high = 0x8F;
        } else {
            return i;
        }
        if (n - i - 1 < trail || s[i + 1] < low || s[i + 1] > high) return i;
        for (int k = 2; k <= trail; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
        }
        i += trail + 1;
    }
    return -1;
}

/* Decodes one code point of well-formed UTF-8 at *i and advances *i past it. */
static UChar32 decode_valid(const uint8_t *s, int64_t *i)
{
    uint8_t lead = s[*i];
    if (lead < 0x80) {
        *i += 1;
        return lead;
    }
    if (lead < 0xE0) {
        UChar32 c = ((lead & 0x1F) << 6) | (s[*i + 1] & 0x3F);
        *i += 2;
        return c;
    }
    if (lead < 0xF0) {
        UChar32 c = ((lead & 0x0F) << 12) | ((s[*i + 1] & 0x3F) << 6) | (s[*i + 2] & 0x3F);
        *i += 3;
        return c;
    }
    UChar32 c = ((lead & 0x07) << 18) | ((s[*i + 1] & 0x3F) << 12) | ((s[*i + 2] & 0x3F) << 6) | (s[*i + 3] & 0x3F);
    *i += 4;
    return c;
}

enum { NFC_CHUNK = 1024 };

/* Code points below U+0300 (lead bytes below 0xCC) are starters that never combine with what precedes
 * them, so they are skipped without ICU and they cut the text into runs that ICU checks independently,
 * converted to UTF-16 through a small stack buffer. */
int32_t cicu_utf8_is_nfc(const uint8_t *s, int64_t n, int32_t *error_code)
{
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status)) {
        *error_code = status;
        return 0;
    }
    UChar buffer[NFC_CHUNK + 2];
    int64_t i = 0;
    while (i < n) {
        uint8_t lead = s[i];
        if (lead < 0xCC) {
            i += lead < 0x80 ? 1 : 2;
            continue;
        }
        int32_t length = 0, cut_length = 0;
        int64_t cut_at = i;
        while (i < n && s[i] >= 0xCC && length < NFC_CHUNK) {
            int64_t at = i;
            UChar32 c = decode_valid(s, &i);
            if (length > 0 && unorm2_hasBoundaryBefore(nfc, c)) {
                cut_length = length;
                cut_at = at;
            }
            U16_APPEND_UNSAFE(buffer, length, c);
        }
        if (i < n && s[i] >= 0xCC) {
            /* The buffer filled inside a run: check up to its last normalization boundary only. */
            if (cut_length == 0) return 0;
            length = cut_length;
            i = cut_at;
        }
        int32_t span = unorm2_spanQuickCheckYes(nfc, buffer, length, &status);
        if (U_FAILURE(status)) {
            *error_code = status;
            return 0;
        }
        if (span != length) return 0;
    }
    return 1;
}

uint8_t *cicu_nfc_utf8(const uint8_t *s, int64_t n, int64_t *out_length, int32_t *error_code)
{
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfc = unorm2_getNFCInstance(&status);
    if (U_FAILURE(status)) {
        *error_code = status;
        return NULL;
    }
    if (n < 0 || n >= (1 << 30)) {
        *error_code = U_INDEX_OUTOFBOUNDS_ERROR;
        return NULL;
    }
    /* UTF-16 never needs more units than UTF-8 has bytes. */
    int32_t source_capacity = (int32_t)n + 1;
    UChar *source = malloc(sizeof(UChar) * (size_t)source_capacity);
    if (source == NULL) {
        *error_code = U_MEMORY_ALLOCATION_ERROR;
        return NULL;
    }
    int32_t source_length = 0;
    u_strFromUTF8(source, source_capacity, &source_length, (const char *)s, (int32_t)n, &status);

    /* NFC rarely grows text; when it does, ICU reports the exact length and the call is repeated. */
    int32_t capacity = source_length + source_length / 4 + 16;
    UChar *normalized = NULL;
    int32_t normalized_length = 0;
    for (int attempt = 0; attempt < 2 && U_SUCCESS(status); attempt++) {
        free(normalized);
        normalized = malloc(sizeof(UChar) * (size_t)capacity);
        if (normalized == NULL) {
            status = U_MEMORY_ALLOCATION_ERROR;
            break;
        }
        normalized_length = unorm2_normalize(nfc, source, source_length, normalized, capacity, &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) {
            status = U_ZERO_ERROR;
            capacity = normalized_length + 1;
        } else {
            break;
        }
    }
    free(source);

    uint8_t *result = NULL;
    if (U_SUCCESS(status)) {
        int32_t result_capacity = normalized_length * 3 + 1;
        result = malloc((size_t)result_capacity);
        if (result == NULL) {
            status = U_MEMORY_ALLOCATION_ERROR;
        } else {
            int32_t result_length = 0;
            u_strToUTF8((char *)result, result_capacity, &result_length, normalized, normalized_length, &status);
            *out_length = result_length;
        }
    }
    free(normalized);
    if (U_FAILURE(status)) {
        free(result);
        *error_code = status;
        return NULL;
    }
    return result;
}

void cicu_free(void *pointer)
{
    free(pointer);
}

struct cicu_breaker {
    UBreakIterator *iterator;
    UText text;
};

cicu_breaker *cicu_breaker_open(cicu_break_kind kind, int32_t *error_code)
{
    cicu_breaker *breaker = malloc(sizeof(cicu_breaker));
    if (breaker == NULL) {
        *error_code = U_MEMORY_ALLOCATION_ERROR;
        return NULL;
    }
    UText initial = UTEXT_INITIALIZER;
    breaker->text = initial;
    UErrorCode status = U_ZERO_ERROR;
    /* The root locale: segmentation must not depend on the user's environment. */
    breaker->iterator = ubrk_open(kind == CICU_BREAK_WORD ? UBRK_WORD : UBRK_CHARACTER, "", NULL, 0, &status);
    if (U_FAILURE(status)) {
        free(breaker);
        *error_code = status;
        return NULL;
    }
    return breaker;
}

void cicu_breaker_close(cicu_breaker *breaker)
{
    if (breaker == NULL) return;
    ubrk_close(breaker->iterator);
    utext_close(&breaker->text);
    free(breaker);
}

void cicu_breaker_set_text(cicu_breaker *breaker, const uint8_t *bytes, int64_t length, int32_t *error_code)
{
    if (length < 0 || length > INT32_MAX) {
        *error_code = U_INDEX_OUTOFBOUNDS_ERROR;
        return;
    }
    static const uint8_t empty = 0;
    UErrorCode status = U_ZERO_ERROR;
    utext_openUTF8(&breaker->text, (const char *)(bytes != NULL ? bytes : &empty), length, &status);
    if (U_SUCCESS(status)) ubrk_setUText(breaker->iterator, &breaker->text, &status);
    if (U_FAILURE(status)) *error_code = status;
}

int64_t cicu_breaker_following(cicu_breaker *breaker, int64_t offset)
{
    int32_t boundary = ubrk_following(breaker->iterator, (int32_t)offset);
    return boundary == UBRK_DONE ? -1 : boundary;
}

int64_t cicu_breaker_next(cicu_breaker *breaker)
{
    int32_t boundary = ubrk_next(breaker->iterator);
    return boundary == UBRK_DONE ? -1 : boundary;
}

int32_t cicu_breaker_rule_status(const cicu_breaker *breaker)
{
    return ubrk_getRuleStatus(breaker->iterator);
}

/* Writes `version` as dotted text into `buffer`, truncated and NUL-terminated to `capacity` bytes. */
static void copy_version(const UVersionInfo version, char *buffer, int32_t capacity)
{
    char text[U_MAX_VERSION_STRING_LENGTH];
    u_versionToString(version, text);
    strncpy(buffer, text, (size_t)capacity);
    if (capacity > 0) buffer[capacity - 1] = 0;
}

void cicu_icu_version(char *buffer, int32_t capacity)
{
    UVersionInfo version;
    u_getVersion(version);
    copy_version(version, buffer, capacity);
}

void cicu_unicode_version(char *buffer, int32_t capacity)
{
    UVersionInfo version;
    u_getUnicodeVersion(version);
    copy_version(version, buffer, capacity);
}

const char *cicu_error_name(int32_t error_code)
{
    return u_errorName((UErrorCode)error_code);
}

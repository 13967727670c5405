#ifndef CICU_H
#define CICU_H
/* Unversioned wrappers over ICU's C API. Filled by the tokenizer work. */
#endif

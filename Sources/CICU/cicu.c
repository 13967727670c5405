#include "cicu.h"
#include <unicode/uversion.h>

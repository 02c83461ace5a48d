#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

int stance_grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (*cap >= need)
        return 0;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    /* elem 0 would ask realloc for 0 bytes, which may free *buf and return NULL */
    if (elem == 0 || ncap > SIZE_MAX / elem)
        return -1;
    void *n = realloc(*buf, ncap * elem);
    if (!n)
        return -1;
    *buf = n;
    *cap = ncap;
    return 0;
}

// The vector types of the kernels: GCC/Clang vector extensions of the sizes of __m512d and
// __m256d (the same calling convention), named by lane type and count.
#ifndef CVECTORMATH_VECTORTYPES_H
#define CVECTORMATH_VECTORTYPES_H

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
typedef double d8 __attribute__((vector_size(64)));
typedef long long l8 __attribute__((vector_size(64)));
typedef float f16 __attribute__((vector_size(64)));
typedef int i16 __attribute__((vector_size(64)));
typedef double d4 __attribute__((vector_size(32)));
typedef long long l4 __attribute__((vector_size(32)));
typedef float f8 __attribute__((vector_size(32)));
typedef int i8 __attribute__((vector_size(32)));
#endif

#endif

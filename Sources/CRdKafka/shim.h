// The whole C surface Driftline uses. rdkafka_mock.h refuses to compile unless rdkafka.h
// comes first, so both are included here, in that order.
#ifndef DRIFTLINE_CRDKAFKA_SHIM_H
#define DRIFTLINE_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif

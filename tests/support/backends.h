#pragma once
// The two database engines a suite runs on: SQLite (a file in the test's temp dir) and
// PostgreSQL (a fresh database on the process's throw-away server, support/pg_cluster.h).
//
//   class StoreTest : public ::testing::TestWithParam<testing_support::Backend> { ... };
//   void SetUp() override { TRACKERD_BACKEND_OR_SKIP(GetParam()); m_where = fresh_database(GetParam(), m_dir); }
//   INSTANTIATE_TEST_SUITE_P(Engines, StoreTest, testing_support::all_backends(), testing_support::backend_name);
//
// Needs <gtest/gtest.h>; link the test with PostgreSQL::PostgreSQL and support/pg_cluster.cpp.

#include <cstdlib>
#include <string>

#include "tests/support/pg_cluster.h"
#include "tests/support/temp_dir.h"

namespace testing_support {

enum class Backend { sqlite, postgresql };

inline auto all_backends() { return ::testing::Values(Backend::sqlite, Backend::postgresql); }

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::sqlite ? "SQLite" : "PostgreSQL";
}

// The engine the end-to-end suites (support/app_under_test.h) run on: PostgreSQL when the
// environment says TRACKERD_TEST_BACKEND=postgresql (ctest's *_postgresql registrations), else SQLite.
inline Backend test_backend() {
    const char* value = std::getenv("TRACKERD_TEST_BACKEND");
    return value && std::string(value) == "postgresql" ? Backend::postgresql : Backend::sqlite;
}

// Where a store opens (Store::open): a file in `dir`, or a new empty PostgreSQL database.
inline std::string fresh_database(Backend backend, const TempDir& dir, const std::string& file = "tracker.db") {
    if (backend == Backend::sqlite) return dir.file(file);
    return PgCluster::shared().create_database();
}

}  // namespace testing_support

// In SetUp or a TEST body: skips the test on PostgreSQL when no server can be started (fails
// instead under TRACKERD_REQUIRE_POSTGRES=1, as CI sets).
#define TRACKERD_BACKEND_OR_SKIP(backend)                                  \
    do {                                                                   \
        if ((backend) == ::testing_support::Backend::postgresql) TRACKERD_PG_OR_SKIP(); \
    } while (0)

//! The shared store conformance suite, unchanged, against DynamoDB Local:
//! one fresh table per test, so the tests run in parallel.

mod support;

banter_conformance::store_conformance_tests!(support::fresh_store());

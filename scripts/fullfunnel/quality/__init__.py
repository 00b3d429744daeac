"""The quality gate behind `fullfunnel check`.

- `fullfunnel.quality.landing`: landing suites, computed on the raw files in an in-memory
  DuckDB connection (rules in SQL: `fullfunnel.quality.landing_sql`).
- `fullfunnel.quality.dbt_results`: the build's dbt tests, one suite per tested model.
- `fullfunnel.quality.spec`: suite, frame and expectation specs; `gx_runner`: Great
  Expectations (ephemeral context, pandas frames, Data Docs), `offline_docs`: Data Docs
  that open without a network.
"""

"""The quality gate behind `fullfunnel check`: Great Expectations suites on the landing files
and the marts (issue 6).

- `fullfunnel.quality.spec`: the suite, frame and expectation specs and the YAML loader
  (`scripts/fullfunnel/expectations/*.yml`, shipped as package data).
- `fullfunnel.quality.landing_sql`: LANDING.md's value rules as DuckDB SQL (trim, parse).
- `fullfunnel.quality.landing`: landing suites, computed on the raw files in an in-memory
  DuckDB connection.
- `fullfunnel.quality.marts`: mart suites, computed on the warehouse opened read-only.
- `fullfunnel.quality.gx_runner`: Great Expectations (ephemeral context, pandas frames,
  Data Docs) and the machine-readable results.
"""

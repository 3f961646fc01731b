-- Prepares the PostgreSQL ceiling (bench/ceiling/stamp.pgbench): numbers the merchant's cards
-- 1..N so pgbench can pick one at random. Only this helper table is added; the ceiling then
-- writes to the real tables (ledger rows, cards, daily stats) of the benchmark database.
--
--   psql -v ON_ERROR_STOP=1 -v merchant_id=UUID -f bench/ceiling/pg_prepare.sql URL
SET client_min_messages = warning;
DROP TABLE IF EXISTS bench_cards;
CREATE TABLE bench_cards AS
    SELECT row_number() OVER (ORDER BY card_number)::int AS n, card_number
    FROM loyalty_cards
    WHERE merchant_id = :'merchant_id';
ALTER TABLE bench_cards ADD PRIMARY KEY (n);
ANALYZE;
SELECT count(*) AS ncards FROM bench_cards \gset
\echo :ncards

-- Two-variable statistics: corr, covar_pop/covar_samp and the regr_* aggregates (grouped, with
-- NULLs, constant inputs, FILTER, windows, errors), as PostgreSQL's float8_regr_accum computes them.
DROP TABLE IF EXISTS pts;
CREATE TABLE pts (g int, x float8, y float8, n numeric, i int);
INSERT INTO pts VALUES (1, 1, 2, 1.5, 3), (1, 2, 4.1, 2.5, 5), (1, 3, 5.9, 3, 8), (1, 4, 8.2, NULL, 9),
  (2, 1, 1, 1, 1), (2, 1, 2, 1, 2), (2, NULL, 3, 2, 3), (3, 5, NULL, 0, 0), (4, 2, 7, 7, 7);
SELECT g, regr_count(y, x), round(regr_sxx(y, x)::numeric, 10) AS sxx, round(regr_syy(y, x)::numeric, 10) AS syy,
  round(regr_sxy(y, x)::numeric, 10) AS sxy, regr_avgx(y, x), round(regr_avgy(y, x)::numeric, 10) AS avgy
  FROM pts GROUP BY g ORDER BY g;
SELECT g, round(regr_r2(y, x)::numeric, 10) AS r2, round(regr_slope(y, x)::numeric, 10) AS slope,
  round(regr_intercept(y, x)::numeric, 10) AS icpt, round(covar_pop(y, x)::numeric, 10) AS cp,
  round(covar_samp(y, x)::numeric, 10) AS cs, round(corr(y, x)::numeric, 10) AS corr
  FROM pts GROUP BY g ORDER BY g;
SELECT regr_count(n, i), round(corr(n, i)::numeric, 12), round(covar_samp(i, n)::numeric, 12), round(regr_slope(i, x)::numeric, 12) FROM pts;
SELECT corr(y, x) FILTER (WHERE g = 1) > 0.99, regr_count(1, 2) FROM pts;
SELECT corr(x) FROM pts;
SELECT corr(x, 'a'::text) FROM pts;
SELECT corr(y, x) FROM pts WHERE false;
SELECT regr_count(y, x) FROM pts WHERE false;
SELECT corr(1, 1), regr_r2(2, 1), covar_samp(1, 1) FROM pts WHERE g = 4;
SELECT g, corr(y, x) OVER (ORDER BY x ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) IS NOT NULL FROM pts WHERE g = 1 ORDER BY x;
DROP TABLE pts;

-- to_char of numbers: PostgreSQL's numeric format patterns (9 0 . , D G S MI PL SG PR L V EEEE RN TH FM).
select '|' || to_char(x, '999') || '|', '|' || to_char(x, '000') || '|', '|' || to_char(x, 'FM999') || '|', '|' || to_char(x, '9,999') || '|', '|' || to_char(x, '999.99') || '|', '|' || to_char(x, 'FM999.99') || '|', '|' || to_char(x, 'FM999.00') || '|', '|' || to_char(x, '0999.9') || '|' from (values (0), (5), (-5), (12), (-12), (123), (1234), (-1234), (12.345), (-0.5), (0.004)) v(x);
select '|' || to_char(x, 'S999') || '|', '|' || to_char(x, '999S') || '|', '|' || to_char(x, 'MI999') || '|', '|' || to_char(x, '999MI') || '|', '|' || to_char(x, 'PL999') || '|', '|' || to_char(x, 'SG999') || '|', '|' || to_char(x, '999PR') || '|', '|' || to_char(x, 'FMS999') || '|' from (values (0), (12), (-12)) v(x);
select '|' || to_char(x, '9G999D99') || '|', '|' || to_char(x, 'FM9,999,999.99') || '|', '|' || to_char(x, 'L999') || '|', '|' || to_char(x, '9.99EEEE') || '|', '|' || to_char(x, '99V99') || '|', '|' || to_char(x, 'FM999th') || '|', '|' || to_char(x, 'RN') || '|', '|' || to_char(x, 'FMRN') || '|' from (values (0.5), (7), (1234.5), (-98765.432)) v(x);
select to_char(1234567.891::numeric, '999,999,999.99'), to_char(1e20::numeric, '9999'), to_char(-0.0001::numeric, '9.99'), to_char(0.5::float8, '9.9'), to_char(2.5::float8, '9'), to_char(2.5::numeric, '9'), to_char(-2.5::numeric, '9'), to_char(123::bigint, '00000'), to_char(1.5::real, '9.99');
select to_char(12, '9 9'), to_char(12, '"abc"999'), to_char(12, '999"x"'), to_char(-12, 'FM999MI'), to_char(12, 'FM0009'), to_char(0, 'FM9'), to_char(0, '9'), to_char(0.1, 'FM0.9'), to_char(0.1, '.99'), to_char(0.1, 'FM.99');
select to_char(x, 'FM990.00'), to_char(x, 'FM0.099'), to_char(x, '999D99S'), to_char(x, 'S9.99'), to_char(x, 'FM999PR'), to_char(x, '99.9EEEE'), to_char(x, 'FM9.9EEEE') from (values (0.05), (-3.1), (42.125), (0)) v(x);
select to_char(123456789012345678901234567890.12::numeric, '999,999,999,999,999,999,999,999,999,999.99');
select to_char('NaN'::numeric, '999.9'), to_char('Infinity'::numeric, '9.9EEEE'), to_char(1.5::float8, 'FM9.999'), to_char(1e15::float8, '9999999999999999.99'), to_char(2::real / 3, '9.9999999');
select to_char(485, 'RN'), to_char(485, 'rn'), to_char(3999, 'FMRN'), to_char(4000, 'RN'), to_char(0, 'RN');
select to_char(21, '999th'), to_char(22, 'FM999TH'), to_char(113, 'FM999th'), to_char(5, '9V999'), to_char(-5::bigint, '9V9');
select to_char(12, '99.9.9');
select to_char(12, '99V9.9');
select to_char(12, 'S99S');
select to_char(12, 'S99MI');
select to_char(12, 'PR99');
select to_char(1, '9.9EEEEEEEE');
select to_char(1, '9.9EEEE9');

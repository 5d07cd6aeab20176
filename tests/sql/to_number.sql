-- to_number(text, format): PostgreSQL's reading of numbers by format (digits per position,
-- separators, signs, decimal point, V), and its errors.
select to_number('12,454.8-', '99G999D9S'), to_number('1234', '9999'), to_number('12.34', '99.99'), to_number(' 12.34', '99.99'), to_number('-12.34', '99.99'), to_number('12.345', '99.99');
select to_number('1,234.5', '9,999.9'), to_number('1,234.56', 'L9,999.99'), to_number('<123>', '999PR'), to_number('123-', '999MI'), to_number('-123', 'S999'), to_number('+123', 'S999');
select to_number('12', '9999'), to_number('123456', '999'), to_number('1.5', '9'), to_number('0012', '0000'), to_number('12.3', 'FM99.99'), to_number('12 34', '99 99');
select to_number('1 234', '9G999'), to_number('12x', '99x'), to_number('3.14159', '9.99999'), to_number('12.3', '999.999'), to_number('1.23e4', '9.99');
select to_number('-0.5', '9.9'), to_number('.5', '.9'), to_number('5.', '9.'), to_number('1,2,3', '9,9,9'), to_number('  -  12', '99999');
select to_number('12', '9,999'), to_number('1 234', '9,999'), to_number('1x234', '9,999'), to_number('1x234', '9G999'), to_number('12-', '99S'), to_number('12+', '99S');
select to_number('-12', 'S99'), to_number('12 -', '99MI'), to_number('5.01-', 'FM9.999999MI'), to_number('<12>', '99PR'), to_number('12', '99PR'), to_number('1234', '99V99');
select to_number('12.5', '99D9'), to_number('  12', '9999'), to_number('x12', '999'), to_number('12', '00'), to_number('0.1', '.9'), to_number('12', 'FM9999'), to_number('12th', '99th');
select to_number('12', '9.9');
select to_number('abc12def', '999');
select to_number('-', '9');
select to_number('', '999');
select to_number('1.2.3', '9.9.9');
select to_number('123', 'RN');
select to_number('1e5', '9EEEE');
select to_number(null, '999'), to_number('12', null);
select to_number('$12', 'L99'), to_number(' 12', 'L99'), to_number('12', 'L99');

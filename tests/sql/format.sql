-- format(): %s %I %L, positions, widths (also from arguments), flags, NULLs, errors
SELECT format('Hello %s', 'World');
SELECT format('%s %s %s', 1, 2.5, true), format('%s', NULL::int), format('%s|%s', ARRAY[1, 2], '{"a": 1}'::jsonb);
SELECT format('%I.%I', 'public', 'My Table'), format('%I', 'select'), format('%I', 'plain_name');
SELECT format('%L, %L, %L', 'it''s', NULL, 'back\slash'), format('%L', 42);
SELECT format('%1$s %1$s %2$s', 'a', 'b'), format('%2$s %s', 'a', 'b', 'c');
SELECT format('[%10s]', 'right'), format('[%-10s]', 'left'), format('[%*s]', 8, 'star'),
  format('[%*s]', -8, 'neg'), format('[%-*s]', 6, 'x'), format('[%3$*1$s]', 5, 'skip', 'pos');
SELECT format('100%%'), format('no args'), format(NULL, 1), format('%s', '');
SELECT format('INSERT INTO %I VALUES (%L, %s)', 'T', 'x', 3);
SELECT format('%s %s', 'only one');
SELECT format('%x', 1);
SELECT format('%', 1);
SELECT format('%0$s', 1);
SELECT format('%I', NULL);
SELECT format('%-', 'a');
SELECT concat(1, 2), concat_ws(',', 1, NULL, 3);

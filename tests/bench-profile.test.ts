import { ownerGroup, parsePerfScript } from '../bench/support/profile';

/** `--profile` charges each perf sample to the code that owns it; a wrong owner would misreport where time goes. */
const SAMPLES = `
	         155f37d Builtins_SubString (/usr/bin/node)
	    7f37c435a6ac JS:*_handleCommandComplete /srv/app/node_modules/pg/lib/client.js:488:25 (/tmp/perf-1.map)
	    7f37c4330bbf JS:*readableAddChunkPushByteMode node:internal/streams/readable:463:38 (/tmp/perf-1.map)
	          7bb11b node::InternalMakeCallback (/usr/bin/node)

	    ffffffff8a1 tcp_sendmsg ([kernel.kallsyms])
	           fde9d __GI___writev (/usr/lib/x86_64-linux-gnu/libc.so.6)
	    7f37c430defe JS:*clearBuffer node:internal/streams/writable:744:21 (/tmp/perf-1.map)
	    7f37c4313a14 JS:*hotQuery /srv/app/src/db/hot-query.ts:2:1129 (/tmp/perf-1.map)

	          1017aa4 v8::internal::ScavengerCollector::CollectGarbage (/usr/bin/node)
	    7f37c4313a14 JS:*hotQuery /srv/app/src/db/hot-query.ts:2:1129 (/tmp/perf-1.map)

	          1017aa4 v8::internal::OptimizingCompileDispatcher::CompileNext (/usr/bin/node)

	    7f37c4330bbf JS:*emit node:events:470:28 (/tmp/perf-1.map)
	          14c05fb uv__io_poll (/usr/bin/node)
`;

test('each sample goes to the first package or src/ frame from the leaf up; GC and the compiler are the runtime', () => {
  const profile = parsePerfScript(SAMPLES);
  expect(profile.samples).toBe(5);
  expect(Object.fromEntries(profile.owners)).toEqual({
    pg: 0.2,
    'src/db/hot-query.ts': 0.2,
    'runtime: garbage collector': 0.2,
    'runtime: optimizing compiler': 0.2,
    'node:events': 0.2,
  });
  expect(profile.kernel).toBeCloseTo(0.2);
});

test('owners fall into the mandated stack, added libraries, our code, or node and V8', () => {
  expect(ownerGroup('pg')).toMatch(/^mandated/);
  expect(ownerGroup('knex')).toMatch(/^mandated/);
  expect(ownerGroup('helmet')).toBe('added libraries');
  expect(ownerGroup('src/services/pricing.ts')).toBe('service code');
  expect(ownerGroup('runtime: garbage collector')).toMatch(/^node and V8/);
});

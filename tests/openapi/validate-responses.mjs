#!/usr/bin/env node
// Checks every response the integration tests received against the OpenAPI document.
//
//   node tests/openapi/validate-responses.mjs [--spec build/gen/openapi.json] LOG...
//
// Each LOG holds one JSON line per response, written by tests/integration/http.c when
// VS_RESPONSE_LOG is set: {method, path, status, content_type, body}. Several logs (the
// plain and the ASan run) are checked as one union.
//
// For each response: find the operation (the path against the document's path templates,
// "{param}" = one non-empty segment; like the server's router, the template with the fewest
// parameters wins, so /users/me beats /users/{user_id}), then the response object for the
// status (exact, then "4XX", then "default"), then the media type of the Content-Type, and
// validate a JSON body (application/json, application/problem+json, any +json) against
// that media type's schema with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
//
// A failure is: no operation for the method and path, no response declared for the status,
// a body where the response declares no content or a content type it does not declare, a
// JSON body that does not parse or does not match the schema. Empty bodies (204, HEAD)
// only need the status to be declared. Not counted (skipped): 404 and 405 on paths no
// template matches (unknown routes are answered by nginx and the router, undocumented on
// purpose), and 405 for a method the path does not have.
//
// Counting: one test per distinct (method, path template, status); it passes when every
// response of that combination passes. Ends with "summary: N passed, N failed" (the line
// scripts/run-tests counts); exit status 1 when anything failed.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAX_DETAILED = 20;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const OAS_DIALECT = 'https://spec.openapis.org/oas/3.1/dialect/base';
const DOC_ID = 'openapi.json';

function usage(msg) {
	if (msg) console.error(`validate-responses: ${msg}`);
	console.error('usage: validate-responses.mjs [--spec FILE] LOG...');
	process.exit(2);
}

// Ends the run when the check cannot even start; still one (failed) test for run-tests.
function fatal(msg) {
	console.log(`validate-responses: ${msg}`);
	console.log('summary: 0 passed, 1 failed');
	process.exit(1);
}

function parseArgs(argv) {
	let spec = path.join(REPO, 'build/gen/openapi.json');
	const logs = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--spec') {
			if (i + 1 >= argv.length) usage('--spec needs a file');
			spec = argv[++i];
		} else if (argv[i] === '-h' || argv[i] === '--help') {
			usage();
		} else if (argv[i].startsWith('-')) {
			usage(`unknown option ${argv[i]}`);
		} else {
			logs.push(argv[i]);
		}
	}
	if (logs.length === 0) usage('no response log given');
	return { spec, logs };
}

// ------------------------------------------------------------------ the document

const escPointer = (s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1');
const unescPointer = (s) => s.replace(/~1/g, '/').replace(/~0/g, '~');

function atPointer(doc, pointer) {
	if (pointer === '' || pointer === '#') return doc;
	let o = doc;
	for (const part of pointer.replace(/^#?\//, '').split('/')) {
		const key = unescPointer(decodeURIComponent(part));
		if (o === null || typeof o !== 'object' || !(key in o)) return undefined;
		o = o[key];
	}
	return o;
}

// Follows Reference Objects ({"$ref": "#/..."}) within the document. Returns
// { obj, ptr } with ptr the JSON pointer of the object finally reached.
function deref(doc, obj, ptr) {
	const seen = new Set();
	while (obj && typeof obj === 'object' && typeof obj.$ref === 'string') {
		const ref = obj.$ref;
		if (!ref.startsWith('#')) throw new Error(`external $ref not supported: ${ref}`);
		if (seen.has(ref)) throw new Error(`$ref cycle at ${ref}`);
		seen.add(ref);
		ptr = ref.slice(1);
		obj = atPointer(doc, ptr);
		if (obj === undefined) throw new Error(`dangling $ref ${ref}`);
	}
	return { obj, ptr };
}

// The path part of a server URL ("https://h/api/v1" or "/api/v1" → "/api/v1"; "/" → "").
function serverBase(server) {
	let url = server && typeof server.url === 'string' ? server.url : '/';
	url = url.replace(/\{([^}]*)\}/g, (_, name) => {
		const v = server.variables && server.variables[name];
		return v && v.default !== undefined ? String(v.default) : '';
	});
	let p;
	try {
		p = new URL(url, 'https://placeholder.invalid').pathname;
	} catch {
		p = '/';
	}
	return p.replace(/\/+$/, '');
}

function bases(servers, inherited) {
	if (!Array.isArray(servers) || servers.length === 0) return inherited;
	return [...new Set(servers.map(serverBase))];
}

// One entry per path template (× server base): the segments to match and the operations.
function buildTemplates(doc) {
	const out = [];
	const rootBases = bases(doc.servers, ['']);
	for (const [tpl, rawItem] of Object.entries(doc.paths || {})) {
		const { obj: item, ptr: itemPtr } = deref(doc, rawItem, `/paths/${escPointer(tpl)}`);
		if (!item || typeof item !== 'object') continue;
		const itemBases = bases(item.servers, rootBases);
		for (const method of METHODS) {
			const op = item[method];
			if (!op || typeof op !== 'object') continue;
			for (const base of bases(op.servers, itemBases)) {
				const full = (base + tpl).replace(/\/+$/, '') || '/';
				const segs = full === '/' ? [] : full.split('/').slice(1);
				const params = segs.filter((s) => s.includes('{')).length;
				out.push({
					tpl,
					full,
					method,
					op,
					opPtr: `${itemPtr}/${method}`,
					params,
					res: segs.map(segmentMatcher),
				});
			}
		}
	}
	return out;
}

// A segment: a literal, or a pattern where each {param} is one or more non-slash characters.
function segmentMatcher(seg) {
	if (!seg.includes('{')) return seg;
	const parts = seg.split(/\{[^}]*\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
	return new RegExp(`^${parts.join('[^/]+')}$`);
}

// The request path as the server routes it: no query, percent-decoded, "//" merged,
// "." and ".." resolved, no trailing slash (except "/").
function normalisePath(p) {
	p = p.split(/[?#]/)[0];
	try {
		p = decodeURIComponent(p);
	} catch {
		/* keep it raw */
	}
	const out = [];
	for (const seg of p.split('/')) {
		if (seg === '' || seg === '.') continue;
		if (seg === '..') out.pop();
		else out.push(seg);
	}
	return '/' + out.join('/');
}

// For grouping paths no template matches: ids become "{id}", so one missing route is one
// failure, not one per object the tests created.
function generalise(p) {
	return p.replace(/\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=\/|$)/gi, '/{id}');
}

function matches(t, segs) {
	if (t.res.length !== segs.length) return false;
	for (let i = 0; i < segs.length; i++) {
		const m = t.res[i];
		if (typeof m === 'string' ? m !== segs[i] : !m.test(segs[i])) return false;
	}
	return true;
}

// Like fcgi/router.c: of every template that fits the path, those with the fewest
// parameters; among them the one for the method (HEAD falls back to GET).
// Returns { template } | { pathKnown: true } (no such method) | { pathKnown: false }.
function findOperation(templates, method, reqPath) {
	const segs = reqPath === '/' ? [] : reqPath.split('/').slice(1);
	const fit = templates.filter((t) => matches(t, segs));
	if (fit.length === 0) return { pathKnown: false };
	const fewest = Math.min(...fit.map((t) => t.params));
	// Literal-first, left to right, among equal parameter counts.
	const best = fit.filter((t) => t.params === fewest).sort((a, b) => literalRank(b) - literalRank(a));
	const m = method.toLowerCase();
	const pick =
		best.find((t) => t.method === m) || (m === 'head' && best.find((t) => t.method === 'get'));
	return pick ? { template: pick } : { pathKnown: true, tpl: best[0].full };
}

function literalRank(t) {
	let r = 0;
	for (const m of t.res) r = r * 2 + (typeof m === 'string' ? 1 : 0);
	return r;
}

function pickResponse(responses, status) {
	if (!responses || typeof responses !== 'object') return null;
	const s = String(status);
	for (const key of [s, `${s[0]}XX`, `${s[0]}xx`, 'default'])
		if (Object.prototype.hasOwnProperty.call(responses, key)) return key;
	return null;
}

function mediaType(ct) {
	return (ct || '').split(';')[0].trim().toLowerCase();
}

function pickContent(content, mt) {
	if (!content || typeof content !== 'object') return null;
	const keys = Object.keys(content);
	const lc = new Map(keys.map((k) => [mediaType(k), k]));
	if (lc.has(mt)) return lc.get(mt);
	const range = `${mt.split('/')[0]}/*`;
	if (lc.has(range)) return lc.get(range);
	if (lc.has('*/*')) return lc.get('*/*');
	return null;
}

const isJson = (mt) => mt === 'application/json' || /^[a-z0-9.+-]+\/[a-z0-9.+-]*\+json$/.test(mt);

// The document with what ajv cannot take out of the way: a "$schema" naming the OAS dialect
// (ajv knows plain 2020-12, which that dialect extends by annotations only).
function forAjv(doc) {
	const copy = structuredClone(doc);
	const walk = (o) => {
		if (Array.isArray(o)) return o.forEach(walk);
		if (!o || typeof o !== 'object') return;
		if (o.$schema === OAS_DIALECT) delete o.$schema;
		Object.values(o).forEach(walk);
	};
	walk(copy);
	return copy;
}

// ajv and ajv-formats from node_modules (scripts/install-deps), loaded here so that a
// missing node_modules is one failed test with a hint, not a stack trace.
let Ajv2020, addFormats;
async function loadAjv() {
	try {
		Ajv2020 = (await import('ajv/dist/2020.js')).default;
		addFormats = (await import('ajv-formats')).default;
	} catch (e) {
		fatal(`cannot load ajv / ajv-formats (run scripts/install-deps): ${e.message}`);
	}
}

function makeAjv(doc) {
	const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false, logger: false });
	addFormats(ajv);
	// OpenAPI's own annotations (no assertions).
	ajv.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example']);
	ajv.addSchema(forAjv(doc), DOC_ID);
	return ajv;
}

// ------------------------------------------------------------------ the check

// A log that does not exist is reported and left out (e.g. the run that should have
// written it never started its tests; that run fails by itself).
function readLog(file) {
	let text;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (e) {
		console.log(`validate-responses: warning: no response log ${file} (${e.code || e.message}); left out`);
		return [];
	}
	const out = [];
	text.split('\n').forEach((line, i) => {
		if (!line.trim()) return;
		try {
			out.push(JSON.parse(line));
		} catch (e) {
			fatal(`${file}:${i + 1}: not a JSON line: ${e.message}`);
		}
	});
	return out;
}

function excerpt(s, n = 300) {
	s = String(s ?? '');
	return s.length > n ? `${s.slice(0, n)}… (${s.length} bytes)` : s;
}

async function main() {
	const { spec, logs } = parseArgs(process.argv.slice(2));
	await loadAjv();

	let doc;
	try {
		doc = JSON.parse(fs.readFileSync(spec, 'utf8'));
	} catch (e) {
		fatal(`cannot load the OpenAPI document ${spec}: ${e.message}`);
	}
	if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.1'))
		fatal(`${spec}: not an OpenAPI 3.1 document (openapi: ${JSON.stringify(doc.openapi)})`);

	let templates, ajv;
	try {
		templates = buildTemplates(doc);
		ajv = makeAjv(doc);
	} catch (e) {
		fatal(`${spec}: ${e.message}`);
	}
	const validators = new Map(); // schema pointer → validate function or Error

	const responses = logs.flatMap(readLog);
	if (responses.length === 0) fatal(`no responses in ${logs.join(', ')} (was VS_RESPONSE_LOG set?)`);

	const combos = new Map(); // key → { failures: [] }
	const seenOps = new Set();
	let skipped = 0;

	const fail = (key, r, why, extra) => {
		combos.get(key).failures.push({ r, why, extra });
	};

	for (const r of responses) {
		const method = String(r.method || '').toUpperCase();
		const reqPath = normalisePath(String(r.path || '/'));
		const status = Number(r.status);
		const found = findOperation(templates, method, reqPath);

		if (!found.template) {
			if ((!found.pathKnown && (status === 404 || status === 405)) ||
			    (found.pathKnown && status === 405)) {
				skipped++;
				continue;
			}
			const key = `${method} ${found.pathKnown ? found.tpl : generalise(reqPath)} ${status}`;
			if (!combos.has(key)) combos.set(key, { failures: [] });
			fail(key, r, found.pathKnown
				? `the document has no ${method} operation on ${found.tpl}`
				: 'no path template of the document matches this path');
			continue;
		}

		const t = found.template;
		seenOps.add(`${t.method.toUpperCase()} ${t.full}`);
		const key = `${method} ${t.full} ${status}`;
		if (!combos.has(key)) combos.set(key, { failures: [] });

		const respKey = pickResponse(t.op.responses, status);
		if (respKey === null) {
			fail(key, r, `status ${status} is not declared (declared: ${Object.keys(t.op.responses || {}).join(', ') || 'none'})`);
			continue;
		}
		let resp, respPtr;
		try {
			({ obj: resp, ptr: respPtr } = deref(doc, t.op.responses[respKey],
				`${t.opPtr}/responses/${escPointer(respKey)}`));
		} catch (e) {
			fail(key, r, `response ${respKey}: ${e.message}`);
			continue;
		}

		const body = typeof r.body === 'string' ? r.body : '';
		if (body.length === 0) continue; // 204, HEAD, …: the declared status is all there is

		const mt = mediaType(r.content_type);
		const content = resp && resp.content;
		if (!content || Object.keys(content).length === 0) {
			fail(key, r, `response ${respKey} declares no content, but a ${mt || 'typeless'} body came`);
			continue;
		}
		const ctKey = pickContent(content, mt);
		if (ctKey === null) {
			fail(key, r, `content type ${mt || '(none)'} is not declared for ${respKey} (declared: ${Object.keys(content).join(', ')})`);
			continue;
		}
		if (!isJson(mt)) continue; // declared, not JSON: nothing more to check

		let value;
		try {
			value = JSON.parse(body);
		} catch (e) {
			fail(key, r, `body is not JSON: ${e.message}`);
			continue;
		}
		let media;
		let mediaPtr;
		try {
			({ obj: media, ptr: mediaPtr } = deref(doc, content[ctKey],
				`${respPtr}/content/${escPointer(ctKey)}`));
		} catch (e) {
			fail(key, r, `media type ${ctKey}: ${e.message}`);
			continue;
		}
		if (!media || media.schema === undefined) continue; // any JSON

		const schemaPtr = `${mediaPtr}/schema`;
		let validate = validators.get(schemaPtr);
		if (validate === undefined) {
			try {
				validate = ajv.getSchema(`${DOC_ID}#${schemaPtr.split('/').map(encodeURIComponent).join('/')}`);
				if (!validate) throw new Error('ajv found no schema there');
			} catch (e) {
				validate = e;
			}
			validators.set(schemaPtr, validate);
		}
		if (validate instanceof Error) {
			fail(key, r, `the schema at #${schemaPtr} does not compile: ${validate.message}`);
			continue;
		}
		if (!validate(value)) {
			fail(key, r, `body does not match the schema at #${schemaPtr}`,
				validate.errors.slice(0, 10).map((e) =>
					`${e.instancePath || '(root)'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`));
		}
	}

	// ------------------------------------------------------------------ report
	let passed = 0;
	let failed = 0;
	let shown = 0;
	const failedKeys = [];
	for (const [key, c] of [...combos.entries()].sort(([a], [b]) => a.localeCompare(b))) {
		if (c.failures.length === 0) {
			passed++;
			continue;
		}
		failed++;
		failedKeys.push(key);
		if (shown >= MAX_DETAILED) continue;
		shown++;
		const f = c.failures[0];
		console.log(`FAIL ${key}: ${f.why}`);
		console.log(`  request: ${f.r.method} ${f.r.path} → ${f.r.status} ${f.r.content_type || '(no content type)'}` +
			(c.failures.length > 1 ? `   (${c.failures.length} responses of this kind failed)` : ''));
		for (const e of f.extra || []) console.log(`  ajv: ${e}`);
		if (f.r.body) console.log(`  body: ${excerpt(f.r.body)}`);
	}
	if (failed > shown) {
		const rest = failedKeys.slice(shown);
		console.log(`… and ${rest.length} more failing combinations:`);
		for (const k of rest.slice(0, 100)) console.log(`  ${k}`);
		if (rest.length > 100) console.log(`  … (${rest.length - 100} more)`);
	}

	const allOps = new Set(templates.map((t) => `${t.method.toUpperCase()} ${t.full}`));
	const unseen = [...allOps].filter((o) => !seenOps.has(o)).sort();
	console.log(`validate-responses: ${responses.length} responses from ${logs.length} log(s); ` +
		`${combos.size} (method, path template, status) combinations; ` +
		`${skipped} skipped (404/405 on undocumented paths or methods)`);
	if (unseen.length)
		console.log(`validate-responses: ${unseen.length} of ${allOps.size} documented operations never seen (not a failure): ${unseen.join(', ')}`);
	console.log(`summary: ${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

await main();

// The client side of scripts/replicas.sh: plain HTTP JSON-RPC against two replicas (A, B)
// and the load balancer in front of them (LB). `node drive.mjs tasks|secrets|limits|confirm|load SECONDS|
// report FILE|affinity|kill`. Prints what it saw; exits 1 when a check fails.
const { LB, A, B, TOKEN } = process.env;
const MCP = '/api/mcp-actions/v1';
const LOST = 'the backend instance running this task stopped before it finished';
const TASKS = 'io.modelcontextprotocol/tasks';
/** The replica that scripts/replicas.sh stops and starts during the load. */
const STOPPED = 'b';

function fail(message) {
  console.error(`FAILED: ${message}`);
  process.exit(1);
}

function check(ok, message) {
  if (!ok) fail(message);
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** POST one JSON-RPC request to `base` with these MCP headers (as `token`, by default the
 * static token); the answer, its status and its replica. */
async function post(base, headers, body, path = '', token = TOKEN) {
  const res = await fetch(base + MCP + path, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...body }),
  });
  const answer = await res.json();
  return { status: res.status, replica: res.headers.get('x-replica'), ...answer };
}

/** One 2026-07-28 request (declaring the tasks extension) to `base`. */
function modern(base, method, params, name) {
  const headers = { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': method, ...(name && { 'Mcp-Name': name }) };
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS]: {} } },
    'io.modelcontextprotocol/clientInfo': { name: 'replicas', version: '1' },
  };
  return post(base, headers, { method, params: { ...params, _meta } });
}

/** A stateless legacy (2025-06-18) request: no handshake, no session. */
function legacy(base, method, params) {
  return post(base, { 'MCP-Protocol-Version': '2025-06-18' }, { method, params });
}

const provision = (base, seconds) =>
  modern(base, 'tools/call', {
    name: 'platform.provision-environment',
    arguments: { service: 'payments-service', seconds },
  }, 'platform.provision-environment');
const getTask = (base, taskId) => modern(base, 'tasks/get', { taskId }, taskId);

/** A task created through the LB and polled through it reaches completed; a cancel through
 * one replica reads cancelled through the other. */
async function tasks() {
  const created = await provision(LB, 3);
  check(created.result?.resultType === 'task', `no task: ${JSON.stringify(created)}`);
  const { taskId } = created.result;
  const served = { [created.replica]: 1 };
  let polls = 0;
  let task;
  for (;;) {
    const answer = await getTask(LB, taskId);
    polls += 1;
    served[answer.replica] = (served[answer.replica] ?? 0) + 1;
    task = answer.result;
    check(task, `tasks/get failed: ${JSON.stringify(answer)}`);
    if (task.status !== 'working') break;
    await sleep(task.pollIntervalMs);
  }
  check(task.status === 'completed', `task ended ${task.status}: ${JSON.stringify(task)}`);
  const output = task.result.structuredContent;
  check(output?.service === 'payments-service' && output.url.startsWith('https://'), `output ${JSON.stringify(output)}`);
  check(Object.keys(served).length === 2, `one replica served every request: ${JSON.stringify(served)}`);
  console.log(`task ${taskId}: completed after ${polls} polls through the LB; requests served ${JSON.stringify(served)}; output ${output.environment}`);

  // How fast polling is: tasks/get of the finished task through the LB, 8 at a time, 3 s.
  const times = [];
  const until = Date.now() + 3000;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (Date.now() < until) {
      const started = performance.now();
      const answer = await getTask(LB, taskId);
      check(answer.result?.status === 'completed', `tasks/get under load: ${JSON.stringify(answer)}`);
      times.push(performance.now() - started);
    }
  }));
  times.sort((x, y) => x - y);
  const at = q => times[Math.floor(q * (times.length - 1))].toFixed(1);
  console.log(`tasks/get through the LB (PostgreSQL), 8 concurrent for 3 s: ${(times.length / 3).toFixed(0)} req/s, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);

  const other = await provision(A, 60);
  const cancelled = await modern(B, 'tasks/cancel', { taskId: other.result.taskId }, other.result.taskId);
  check(cancelled.result?.resultType === 'complete', `cancel through b: ${JSON.stringify(cancelled)}`);
  const seen = await getTask(A, other.result.taskId);
  check(seen.result?.status === 'cancelled', `after a cancel through b, a reads ${JSON.stringify(seen.result)}`);
  console.log(`task ${other.result.taskId}: created on a, cancelled through b, reads cancelled on a`);

  // A result over the budget, kept by a, read back page by page through b.
  const headers = { 'MCP-Protocol-Version': '2025-06-18' };
  const big = await post(A, headers, {
    method: 'tools/call',
    params: { name: 'catalog.query-catalog-entities', arguments: { query: { kind: 'Component' } } },
  }, '/tight');
  const link = big.result?.content?.find(c => c.type === 'resource_link');
  check(big.result?.isError === true && link, `no kept result: ${JSON.stringify(big).slice(0, 300)}`);
  let whole = '';
  let pages = 0;
  for (;;) {
    const uri = pages === 0 ? link.uri : `${link.uri}?page=${pages + 1}`;
    const read = await post(B, headers, { method: 'resources/read', params: { uri } }, '/tight');
    if (read.error) break;
    whole += read.result.contents[0].text;
    pages += 1;
  }
  const items = JSON.parse(whole).items;
  check(whole.length === link.size && items.length >= 2, `read ${whole.length} of ${link.size} characters`);
  console.log(`a result of ${link.size} characters kept by a (budget 300): read through b in ${pages} pages, ${items.length} entities`);
}

/**
 * Secrets through both replicas (PostgreSQL): the guest's call of a tool that needs a secret
 * starts a request on a; the guest answers it through b's page API; the retry on a takes the
 * sealed secret (sealed by b, opened by a) once and runs with it.
 */
async function secrets() {
  const guest = await guestToken();
  const call = (base, extra = {}) =>
    fetch(base + MCP, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${guest}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': '2026-07-28',
        'Mcp-Method': 'tools/call',
        'Mcp-Name': 'platform.publish-release',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'platform.publish-release',
          arguments: { service: 'payments-service', version: '2.0.0' },
          ...extra,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': { elicitation: { url: {} } },
            'io.modelcontextprotocol/clientInfo': { name: 'replicas', version: '1' },
          },
        },
      }),
    }).then(r => r.json());
  const first = await call(A);
  check(first.result?.resultType === 'input_required', `no input_required on a: ${JSON.stringify(first)}`);
  const id = first.result.inputRequests.secrets.params.url.split('/mcp-actions/secrets/')[1];
  const api = `${B}/api/mcp-actions/v1/elicitations/${id}`;
  const view = await fetch(api, { headers: { Authorization: `Bearer ${guest}` } }).then(r => r.json());
  check(view.csrfToken, `no view on b: ${JSON.stringify(view)}`);
  const secret = `registry-${Date.now()}`;
  const sent = await fetch(`${api}/secrets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${guest}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ csrfToken: view.csrfToken, secrets: { registryToken: secret } }),
  });
  check(sent.status === 200, `submit on b: ${sent.status} ${await sent.text()}`);
  const retry = { requestState: first.result.requestState, inputResponses: { secrets: { action: 'accept' } } };
  const done = await call(A, retry);
  const fingerprint = (await import('node:crypto')).createHash('sha256').update(secret).digest('hex').slice(0, 12);
  check(done.result?.structuredContent?.tokenFingerprint === fingerprint, `retry on a: ${JSON.stringify(done)}`);
  check(!JSON.stringify(done).includes(secret), 'the answer holds the secret');
  const again = await call(A, retry);
  check(again.result?.resultType === 'input_required', `used twice: ${JSON.stringify(again)}`);
  console.log(`secrets: asked on a, answered through b, the retry on a ran with them once (${id})`);
}

/** The demo confirms platform.restart-deployment (mcpActions.confirm): asked on one replica,
 * answered on the other; through the 2026-07-28 retry and through the page's API. */
async function confirm() {
  const guest = await guestToken();
  const restart = (base, elicits, extra = {}) =>
    post(
      base,
      { 'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'platform.restart-deployment' },
      {
        method: 'tools/call',
        params: {
          name: 'platform.restart-deployment',
          arguments: { service: 'payments-service', environment: 'staging' },
          ...extra,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': elicits ? { elicitation: { form: {} } } : {},
            'io.modelcontextprotocol/clientInfo': { name: 'replicas', version: '1' },
          },
        },
      },
      '',
      guest,
    );
  const ran = answer => answer.result?.structuredContent?.restartedPods === 3;
  const asked = await restart(A, true);
  check(asked.result?.resultType === 'input_required', `no question on a: ${JSON.stringify(asked)}`);
  const yes = { requestState: asked.result.requestState, inputResponses: { confirm: { action: 'accept', content: { confirm: true } } } };
  const answered = await restart(B, true, yes);
  check(ran(answered), `the retry on b did not run: ${JSON.stringify(answered)}`);
  const replay = await restart(A, true, yes);
  check(replay.result?.resultType === 'input_required', `a confirmation was used twice: ${JSON.stringify(replay)}`);
  console.log('confirm: asked on a (input_required), answered on b, which ran it; the same answer again is asked anew');

  const required = await restart(B, false);
  check(/^ConfirmationRequired/.test(required.result?.content?.[0]?.text ?? ''), `no page answer on b: ${JSON.stringify(required)}`);
  const page = (base, path, method = 'GET') =>
    fetch(`${base}/api/mcp-actions/ui/v1/confirmations${path}`, { method, headers: { Authorization: `Bearer ${guest}` } }).then(async r => ({ status: r.status, body: await r.json() }));
  const listed = await page(A, '');
  const pending = listed.body.confirmations?.find(c => c.tool === 'platform.restart-deployment');
  check(pending, `a does not list the confirmation b asked: ${JSON.stringify(listed)}`);
  const confirmed = await page(A, `/${pending.id}/confirm`, 'POST');
  check(confirmed.status === 200, `confirm on a: ${JSON.stringify(confirmed)}`);
  check(ran(await restart(B, false)), 'the retry on b after the confirmation on a did not run');
  const again = await restart(B, false);
  check(/^ConfirmationRequired/.test(again.result?.content?.[0]?.text ?? ''), `used twice: ${JSON.stringify(again)}`);
  console.log('confirm: asked on b (a client that cannot ask), confirmed on the page through a, the retry on b ran once');
}

/** The guest signed in on replica a (a user token both replicas accept). */
async function guestToken() {
  const res = await fetch(`${A}/api/auth/guest/refresh?env=development`, { headers: { 'X-Requested-With': 'XMLHttpRequest' } });
  check(res.ok, `guest sign-in on a: ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

/** The rule replicas-health (40 calls a day per user) held by both replicas together: the
 * guest calls on a and b at once, 16 at a time, until both refuse; then again after their
 * unused leases went back. Exactly 40 calls run, every other one is 429 / -32023. */
async function limits() {
  const guest = await guestToken();
  const health = base =>
    post(
      base,
      { 'MCP-Protocol-Version': '2025-06-18' },
      { method: 'tools/call', params: { name: 'platform.get-service-health', arguments: { service: 'payments-service' } } },
      '',
      guest,
    ).then(({ status, replica, ...body }) => ({ status, body }));
  const counts = { a: 0, b: 0, refused: 0 };
  const round = async () => {
    for (let wave = 0; wave < 5; wave++) {
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => health(i % 2 ? B : A).then(r => ({ ...r, replica: i % 2 ? 'b' : 'a' }))),
      );
      for (const answer of answers) {
        if (answer.status === 200) {
          check(answer.body.result && !answer.body.result.isError, `a call failed: ${JSON.stringify(answer.body)}`);
          counts[answer.replica] += 1;
        } else {
          check(answer.status === 429 && answer.body.error?.code === -32023, `not a rate-limit refusal: ${answer.status} ${JSON.stringify(answer.body)}`);
          check(answer.body.error.data.rule === 'replicas-health', `refused by ${answer.body.error.data.rule}`);
          counts.refused += 1;
        }
      }
    }
  };
  await round();
  // Leases unused for a second go back to the database; a replica that heard "nothing left"
  // asks again a second later.
  await sleep(2500);
  await round();
  const admitted = counts.a + counts.b;
  check(admitted === 40, `the limit is 40 for the deployment, ${admitted} calls ran (a ${counts.a}, b ${counts.b})`);
  check(counts.a > 0 && counts.b > 0, `both replicas should have served: a ${counts.a}, b ${counts.b}`);
  console.log(`limits: 40 calls ran (a ${counts.a}, b ${counts.b}), ${counts.refused} refused with 429 / -32023`);
  // Usage: both replicas recorded their share; either one's report shows the whole.
  const report = async base => {
    const res = await fetch(`${base}/api/mcp-actions/ui/v1/usage?scope=all&tool=platform.get-service-health`, {
      headers: { Authorization: `Bearer ${guest}` },
    });
    check(res.status === 200, `usage on ${base}: ${res.status}`);
    return (await res.json()).totals;
  };
  const deadline = Date.now() + 20_000;
  let seen;
  do {
    await sleep(1000);
    seen = await report(A);
  } while (seen.calls < 160 && Date.now() < deadline);
  const other = await report(B);
  for (const [name, totals] of [['a', seen], ['b', other]]) {
    check(
      totals.calls === 160 && totals.byOutcome.success === 40 && totals.byOutcome.rate_limited === 120,
      `usage on ${name}: ${JSON.stringify(totals)}`,
    );
  }
  console.log('usage: each replica reports all 160 calls (40 success, 120 rate_limited)');
}

/** Stateless legacy and 2026-07-28 calls through the LB for `seconds`, 4 at a time. */
async function load(seconds) {
  const until = Date.now() + seconds * 1000;
  const stats = { calls: 0, ok: 0, byReplica: {}, lostInFlight: [], failures: [] };
  const calls = [
    () => legacy(LB, 'tools/call', { name: 'platform.get-service-health', arguments: { service: 'payments-service' } }),
    () => modern(LB, 'tools/call', { name: 'platform.list-incidents', arguments: {} }, 'platform.list-incidents'),
  ];
  const worker = async n => {
    for (let i = n; Date.now() < until; i += 1) {
      stats.calls += 1;
      try {
        const answer = await calls[i % 2]();
        if (answer.status === 200 && answer.result && !answer.result.isError) {
          stats.ok += 1;
          stats.byReplica[answer.replica] = (stats.byReplica[answer.replica] ?? 0) + 1;
        } else if ([502, 503, 504].includes(answer.status) && !answer.jsonrpc) {
          // The load balancer's own answer: the replica went away with the request.
          stats.lostInFlight.push(`${answer.status} from the load balancer`);
        } else if (answer.replica === STOPPED) {
          // Answered by the replica that was shutting down while it ran (its registry
          // refuses calls once shutdown began).
          stats.lostInFlight.push(`${answer.status} ${answer.error?.message ?? JSON.stringify(answer.result)}`);
        } else {
          stats.failures.push(`${answer.status} ${JSON.stringify(answer.error ?? answer.result)}`);
        }
      } catch (error) {
        stats.lostInFlight.push(`${error.cause?.code ?? error.message}`);
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(worker));
  console.log(JSON.stringify(stats));
}

async function report(file) {
  const { readFileSync } = await import('node:fs');
  const stats = JSON.parse(readFileSync(file, 'utf8'));
  console.log(`calls ${stats.calls}, succeeded ${stats.ok} (a ${stats.byReplica.a ?? 0}, b ${stats.byReplica.b ?? 0}), lost in flight on the stopped replica ${stats.lostInFlight.length}, other failures ${stats.failures.length}`);
  if (stats.lostInFlight.length) console.log(`  in flight: ${[...new Set(stats.lostInFlight)].join('; ')}`);
  check(stats.failures.length === 0, `failures: ${stats.failures.slice(0, 5).join('; ')}`);
  check(stats.ok > 100, `too few calls succeeded (${stats.ok})`);
  check((stats.byReplica.a ?? 0) > 0 && (stats.byReplica.b ?? 0) > 0, 'both replicas must serve calls');
}

/** A legacy SSE session opened on A; its messages POSTed to B get a complete 404 at once. */
async function affinity() {
  const stream = new AbortController();
  const res = await fetch(`${A}${MCP}/sse`, {
    headers: { Authorization: `Bearer ${TOKEN}`, Accept: 'text/event-stream' },
    signal: stream.signal,
  });
  check(res.status === 200, `GET /sse on a: ${res.status}`);
  const reader = res.body.getReader();
  let text = '';
  while (!/data: (\S+)/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
  const endpoint = text.match(/data: (\S+)/)[1];
  const started = Date.now();
  const post = await fetch(new URL(endpoint, B), {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} }),
  });
  const body = await post.json();
  const ms = Date.now() - started;
  stream.abort();
  check(post.status === 404 && body.error && body.id === 3, `POST to b: ${post.status} ${JSON.stringify(body)}`);
  console.log(`session opened on a, message sent to b: ${post.status} in ${ms} ms, "${body.error.message}"`);
}

/** A task running on A; A is killed; through B the task reads failed with the message. */
async function kill() {
  const created = await provision(A, 60);
  check(created.result?.status === 'working', `no task on a: ${JSON.stringify(created)}`);
  const { taskId } = created.result;
  await sleep(1500);
  process.kill(Number(process.env.PID_A), 'SIGKILL');
  const killed = Date.now();
  let task;
  for (;;) {
    task = (await getTask(B, taskId)).result;
    if (task?.status !== 'working' || Date.now() - killed > 15_000) break;
    await sleep(250);
  }
  check(task?.status === 'failed' && task.statusMessage === LOST, `after the kill b reads ${JSON.stringify(task)}`);
  check(task.error?.code === -32603, `error ${JSON.stringify(task.error)}`);
  console.log(`task ${taskId}: replica a killed (SIGKILL); b reads failed "${task.statusMessage}" ${((Date.now() - killed) / 1000).toFixed(1)} s later`);
}

const [command, arg] = process.argv.slice(2);
const commands = { tasks, secrets, limits, confirm, load: () => load(Number(arg)), report: () => report(arg), affinity, kill };
if (!commands[command]) fail(`unknown command ${command}`);
await commands[command]().catch(error => fail(error.stack ?? String(error)));

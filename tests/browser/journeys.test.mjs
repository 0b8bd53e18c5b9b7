// Browser journeys of Juwei's pages: a real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) against `juwei serve` on a
// fresh demo store. Run from tests/browser:
//
//   sh setup.sh && JUWEI_BIN=/path/to/juwei node --test
//
// Each journey uses its own browser context (own cookies), creates the
// records it changes, and leaves a screenshot of its final page in
// build/screenshots/. They assert what a user sees, never how fast.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync, copyFileSync, chmodSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const SRC_BIN = process.env.JUWEI_BIN ? resolve(process.env.JUWEI_BIN) : join(repo, 'build', 'juwei');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = join(repo, 'build', 'screenshots');

const USERS = {
	admin: { username: 'admin', password: 'Adm1n-Juwei#2024' },
	zhuren: { username: 'zhuren', password: 'Zhu-Ren!2024x' },
	wangge: { username: 'wangge', password: 'Wang-Ge!2024x' },
};
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };
const HAN = /[\u4e00-\u9fff]/;

let BIN, dir, db, server, serverLog = '', base, browser;

// ---- helpers ----

function freePort() {
	return new Promise((ok, fail) => {
		const s = net.createServer();
		s.once('error', fail);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => ok(port));
		});
	});
}

function juwei(args, env = {}) {
	return execFileSync(BIN, args, {
		env: { ...process.env, ...env },
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

// GB 11643 check character of the first 17 digits.
function idNumber(first17) {
	const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
	let s = 0;
	for (let i = 0; i < 17; i++) s += Number(first17[i]) * w[i];
	return first17 + '10X98765432'[s % 11];
}

async function api(method, path, body, token) {
	const headers = { 'Content-Type': 'application/json' };
	if (token) headers.Authorization = `Bearer ${token}`;
	const res = await fetch(base + path, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	let json = null;
	try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
	return { status: res.status, json, text };
}

async function apiLogin(user = USERS.admin) {
	const r = await api('POST', '/api/v1/login', { username: user.username, password: user.password });
	assert.equal(r.status, 200, `API login as ${user.username}: ${r.text}`);
	return r.json.token;
}

// A fresh browser context (no cookies) with one page.
async function newPage(viewport = DESKTOP) {
	const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
	context.setDefaultTimeout(15_000);
	const page = await context.newPage();
	return { context, page };
}

// Logs in through the form; lands on `next` (or /).
async function login(page, user, next = '/') {
	await page.goto(`${base}/login?next=${encodeURIComponent(next)}`);
	await page.locator('#username').fill(user.username);
	await page.locator('#password').fill(user.password);
	await page.getByRole('button', { name: '登录' }).click();
	await page.waitForURL((u) => u.pathname !== '/login');
	assert.equal(new URL(page.url()).pathname, next.split('?')[0], `login as ${user.username} should land on ${next}`);
}

// Runs a journey in a fresh context and always leaves a screenshot of the
// page it ended on (also when it failed: that is when one is most useful).
async function journey(name, viewport, fn) {
	const { context, page } = await newPage(viewport);
	const state = { page };
	try {
		await fn(state);
	} finally {
		try {
			await state.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
		} catch { /* the page may be gone */ }
		await context.close();
	}
}

// An intermediate screenshot (the journey's final page is taken by journey()).
async function shot(page, name) {
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function submitAndWait(page, button, method = 'POST') {
	const [resp] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === method && r.request().resourceType() === 'document'),
		button.click(),
	]);
	await page.waitForLoadState('load');
	return resp;
}

async function listNames(page) {
	return page.locator('main table tbody tr td:first-child a').allTextContents();
}

// ---- the server ----

before(async () => {
	assert.ok(existsSync(SRC_BIN), `juwei binary not found at ${SRC_BIN} (build it, or set JUWEI_BIN)`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: run sh setup.sh`);
	mkdirSync(SHOTS, { recursive: true });
	dir = mkdtempSync(join(tmpdir(), 'juwei-browser-'));
	// run a copy: the build may replace build/juwei while the journeys run
	BIN = join(dir, 'juwei');
	copyFileSync(SRC_BIN, BIN);
	chmodSync(BIN, 0o755);
	db = join(dir, 'juwei.db');
	juwei(['init', '--db', db, '--community-code', '110105087003', '--community-name', '阳光社区居民委员会'],
		{ JUWEI_ADMIN_PASSWORD: USERS.admin.password });
	juwei(['demo', '--db', db, '--persons', '300']);
	juwei(['user', 'add', 'zhuren', '--role', 'director', '--db', db], { JUWEI_PASSWORD: USERS.zhuren.password });
	juwei(['user', 'add', 'wangge', '--role', 'grid_worker', '--grid', '第一网格', '--db', db],
		{ JUWEI_PASSWORD: USERS.wangge.password });

	const port = await freePort();
	base = `http://127.0.0.1:${port}`;
	server = spawn(BIN, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
	server.stdout.on('data', (d) => { serverLog += d; });
	server.stderr.on('data', (d) => { serverLog += d; });
	// never leave the server behind, even if this process is ended early
	process.once('exit', () => { if (server.exitCode === null) server.kill('SIGKILL'); });
	let exited = null;
	server.once('exit', (code, sig) => { exited = `exit ${code ?? sig}`; });

	// Wait until it answers (bounded number of tries, not a timing assertion).
	let up = false;
	for (let i = 0; i < 400 && !up && !exited; i++) {
		try {
			const r = await fetch(`${base}/login`);
			up = r.status === 200;
		} catch { /* not listening yet */ }
		if (!up) await new Promise((ok) => setTimeout(ok, 50));
	}
	assert.ok(up, `juwei serve did not answer on ${base} (${exited ?? 'still running'}):\n${serverLog}`);

	browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
	if (browser) await browser.close();
	if (server && server.exitCode === null) {
		const gone = new Promise((ok) => server.once('exit', ok));
		server.kill('SIGTERM');
		await Promise.race([gone, new Promise((ok) => setTimeout(ok, 3000))]);
		if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
	}
	if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- journeys ----

test('1. unauthenticated /persons → login form → back on /persons; dashboard shows the counts', async () => {
	await journey('01-login-dashboard', DESKTOP, async ({ page }) => {
		await page.goto(`${base}/persons`);
		assert.equal(new URL(page.url()).pathname, '/login');
		assert.equal(new URL(page.url()).searchParams.get('next'), '/persons');
		await page.locator('form.login').waitFor();
		assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
		assert.match(await page.locator('form.login h1').innerText(), HAN);

		await page.locator('#username').fill(USERS.admin.username);
		await page.locator('#password').fill(USERS.admin.password);
		await page.getByRole('button', { name: '登录' }).click();
		await page.waitForURL((u) => u.pathname === '/persons');
		assert.match(await page.locator('main h1').innerText(), /^居民/);
		assert.ok((await listNames(page)).length > 0, 'the list shows persons');

		const stats = (await api('GET', '/api/v1/stats', undefined, await apiLogin())).json;
		await page.locator('header nav a', { hasText: '首页' }).click();
		await page.waitForURL((u) => u.pathname === '/');
		assert.match(await page.locator('main h1').innerText(), /阳光社区居民委员会/);
		const cards = Object.fromEntries(await page.$$eval('.cards .card', (els) => els.map((c) =>
			[c.querySelector('span').textContent.trim(), Number(c.querySelector('b').textContent.trim())])));
		for (const [label, key] of [['实有人口', 'persons'], ['户籍人口', 'registered'], ['流动人口', 'migrant'],
			['境外人员', 'foreign'], ['60岁以上', 'over60'], ['户数', 'households'], ['房屋', 'houses'],
			['楼栋', 'buildings'], ['网格', 'grids']]) {
			assert.ok(label in cards, `dashboard card ${label} missing (have ${Object.keys(cards).join('、')})`);
			assert.equal(cards[label], stats[key], `dashboard ${label}`);
		}
		assert.ok(cards['实有人口'] >= 300, 'the demo made 300 persons');
		assert.equal(cards['户籍人口'] + cards['流动人口'] + cards['境外人员'], cards['实有人口']);
	});
});

test('2. search by 2 Han characters of a name, and by pinyin initials', async () => {
	await journey('02-search', DESKTOP, async ({ page }) => {
		await login(page, USERS.admin, '/persons');
		const names = await listNames(page);
		const name = names.find((n) => /^[\u4e00-\u9fff]{2,}$/.test(n));
		assert.ok(name, `a Chinese name on the list page (have ${names.slice(0, 5).join('、')})`);
		const frag = name.slice(0, 2);

		await page.locator('#f-q').fill(frag);
		await submitAndWait(page, page.locator('form.filters button[type=submit]'), 'GET');
		assert.equal(new URL(page.url()).searchParams.get('q'), frag);
		assert.equal(await page.locator('#f-q').inputValue(), frag, 'the search box keeps the query');
		const found = await listNames(page);
		assert.ok(found.includes(name), `searching ${frag} finds ${name} (found ${found.join('、')})`);
		for (const n of found) assert.ok(n.includes(frag), `result ${n} contains ${frag}`);

		// Create 张三丰 through the form, then find him by pinyin.
		await page.goto(`${base}/persons/new`);
		await page.locator('#f-name').fill('张三丰');
		await page.locator('#f-id_number').fill(idNumber('11010519650315001'));
		await page.locator('#f-residence_type').selectOption({ label: '户籍人口' });
		await submitAndWait(page, page.getByRole('button', { name: '保存' }));
		assert.match(new URL(page.url()).pathname, /^\/persons\/\d+$/, `saved: ${await page.locator('main').innerText()}`);
		const id = new URL(page.url()).pathname.split('/').pop();

		for (const q of ['zsf', 'ZSF', 'zhangsanfeng']) {
			await page.goto(`${base}/persons`);
			await page.locator('#f-q').fill(q);
			await submitAndWait(page, page.locator('form.filters button[type=submit]'), 'GET');
			assert.ok(await page.locator(`main table a[href="/persons/${id}"]`).count() === 1,
				`searching ${q} finds 张三丰 (found ${(await listNames(page)).join('、')})`);
		}
	});
});

test('3. create a person: ID error next to the field, values kept; masked ID; director reveals; audit row', async () => {
	const good = '11010519491231002X';
	let id;
	await journey('03a-create-person', DESKTOP, async ({ page }) => {
		await login(page, USERS.admin, '/persons/new');
		assert.match(await page.locator('main h1').innerText(), /新增居民/);
		await page.locator('#f-name').fill('李秀兰');
		await page.locator('#f-id_number').fill('11010519491231003X');
		await page.locator('#f-phone').fill('13812345678');
		await page.locator('#f-current_address').fill('北京市朝阳区阳光路18号院1号楼1单元101室');
		const bad = await submitAndWait(page, page.getByRole('button', { name: '保存' }));
		assert.equal(bad.status(), 422);

		const err = page.locator('p.err#e-id_number');
		assert.ok(await err.isVisible(), 'an error is shown next to 公民身份号码');
		const msg = await err.innerText();
		assert.match(msg, HAN, `the error is in Chinese: ${msg}`);
		// next to the field: inside the same field box as the input
		assert.equal(await page.locator('.f.bad:has(#f-id_number) #e-id_number').count(), 1);
		assert.equal(await page.locator('#f-id_number').getAttribute('aria-describedby'), 'e-id_number');
		assert.match(await page.locator('.notice.err').innerText(), /需要修改/);
		// what was typed is kept
		assert.equal(await page.locator('#f-name').inputValue(), '李秀兰');
		assert.equal(await page.locator('#f-id_number').inputValue(), '11010519491231003X');
		assert.equal(await page.locator('#f-phone').inputValue(), '13812345678');
		assert.equal(await page.locator('#f-current_address').inputValue(), '北京市朝阳区阳光路18号院1号楼1单元101室');
		// 人口类型 was left out: required, so it is flagged too
		assert.match(await page.locator('p.err#e-residence_type').innerText(), HAN);
		await shot(page, '03a0-create-person-error');

		await page.locator('#f-id_number').fill(good);
		await page.locator('#f-residence_type').selectOption({ label: '户籍人口' });
		await submitAndWait(page, page.getByRole('button', { name: '保存' }));
		const path = new URL(page.url()).pathname;
		assert.match(path, /^\/persons\/\d+$/, `saved and on the person page: ${await page.locator('main').innerText()}`);
		id = path.split('/').pop();
		assert.match(await page.locator('main h1').innerText(), /李秀兰/);
		assert.equal((await page.locator('dd#v-id_number').innerText()).trim(), '110105********002X');
		assert.equal((await page.locator('dd#v-phone').innerText()).trim(), '138****5678');
		assert.equal((await page.locator('dd#v-sex').innerText()).trim(), '女', 'sex derived from the ID number');
		assert.equal((await page.locator('dd#v-birth_date').innerText()).trim(), '1949-12-31');
		assert.equal((await page.locator('dd#v-residence_type').innerText()).trim(), '户籍人口');
		assert.ok(!(await page.locator('main').innerText()).includes(good), 'the full number is not on the page');
	});

	await journey('03b-director-reveal', DESKTOP, async ({ page }) => {
		await login(page, USERS.zhuren, `/persons/${id}`);
		assert.equal((await page.locator('dd#v-id_number').innerText()).trim(), '110105********002X');
		// a reveal says why (PIPL art. 51)
		await page.locator('form.reveal select[name="reason"]').selectOption({ label: '核对身份' });
		await submitAndWait(page, page.getByRole('button', { name: '查看完整证件号和电话' }));
		assert.equal((await page.locator('dd#v-id_number').innerText()).trim(), good);
		assert.equal((await page.locator('dd#v-phone').innerText()).trim(), '13812345678');
		assert.match(await page.locator('.notice.info').innerText(), /审计日志/);
	});

	await journey('03c-audit-reveal', DESKTOP, async ({ page }) => {
		await login(page, USERS.admin, '/audit');
		const rows = page.locator(`main table tbody tr:has(a[href="/persons/${id}"])`)
			.filter({ hasText: '查看原文' });
		assert.ok(await rows.count() >= 1, `a 查看原文 row for 居民 #${id} in /audit`);
		const cells = await rows.first().locator('td').allInnerTexts();
		assert.equal(cells[1].trim(), 'zhuren', `the reveal is recorded under the director's name: ${cells.join(' | ')}`);
		assert.equal(cells[2].trim(), '查看原文');
		assert.match(cells.join(' | '), /核对身份/, `the reveal's reason is in its audit row: ${cells.join(' | ')}`);
		await rows.first().scrollIntoViewIfNeeded();
	});
});

test('4. de-register through the person page: gone from the default list, back with 含已注销', async () => {
	await journey('04-deregister', DESKTOP, async ({ page }) => {
		const token = await apiLogin();
		const name = '欧阳迁芳';
		const made = await api('POST', '/api/v1/persons', {
			name, id_number: idNumber('11010519800704004'), residence_type: 'migrant',
		}, token);
		assert.equal(made.status, 201, made.text);
		const id = made.json.id;
		const link = `main table a[href="/persons/${id}"]`;

		await login(page, USERS.admin, `/persons?q=${encodeURIComponent(name)}`);
		assert.equal(await page.locator(link).count(), 1, 'listed before de-registration');

		await page.goto(`${base}/persons/${id}`);
		// the form is folded away (no accidental de-registration): open it first
		await page.locator('details.danger summary').click();
		const form = page.locator(`form[action="/persons/${id}/deregister"]`);
		await form.locator('#f-reason').selectOption({ label: '迁出' });
		await form.locator('#f-note').fill('迁往海淀区');
		await submitAndWait(page, form.getByRole('button', { name: /注销/ }));
		assert.equal(new URL(page.url()).pathname, `/persons/${id}`);
		const notice = await page.locator('.notice.info').innerText();
		assert.match(notice, /已于 \d{4}-\d{2}-\d{2} 注销（迁出）/);
		assert.match(notice, /迁往海淀区/);
		assert.equal(await page.locator(`form[action="/persons/${id}/deregister"]`).count(), 0, 'no second 注销 form');
		assert.equal(await page.getByRole('link', { name: '修改' }).count(), 0, 'no 修改 for a de-registered person');
		await shot(page, '04a-deregistered-person');

		await page.goto(`${base}/persons`);
		await page.locator('#f-q').fill(name);
		await submitAndWait(page, page.locator('form.filters button[type=submit]'), 'GET');
		assert.equal(await page.locator(link).count(), 0, 'not in the default list');
		assert.match(await page.locator('main table tbody').innerText(), /没有符合条件的记录/);

		await page.locator('select[name=include_deregistered]').selectOption({ label: '含已注销' });
		await submitAndWait(page, page.locator('form.filters button[type=submit]'), 'GET');
		assert.equal(new URL(page.url()).searchParams.get('include_deregistered'), '1');
		assert.equal(await page.locator(link).count(), 1, 'listed with 含已注销');
		const row = page.locator(`main table tbody tr:has(a[href="/persons/${id}"])`);
		assert.match(await row.innerText(), /已注销/);
		assert.equal(await page.locator('select[name=include_deregistered]').inputValue(), '1', 'the filter stays chosen');
	});
});

test('5. building page shows the 楼盘表; a household link opens the members with 与户主关系', async () => {
	await journey('05-building-household', DESKTOP, async ({ page }) => {
		await login(page, USERS.admin, '/buildings/1');
		const plan = page.locator('table.plan');
		assert.ok(await plan.count() >= 1, 'a 楼盘表');
		assert.match(await page.locator('main').innerText(), /楼盘表/);
		const rooms = await page.locator('table.plan a.room').allInnerTexts();
		assert.ok(rooms.length > 0, 'rooms in the plan');
		for (const r of rooms) assert.match(r.trim(), /^\d{3,4}$/, `room number ${r}`);
		const floors = await page.locator('table.plan th.floor').allInnerTexts();
		assert.ok(floors.every((f) => /^\d+层$/.test(f.trim())), `floor headers ${floors.join(',')}`);

		await shot(page, '05a-building-plan');
		const hh = page.locator('table.plan td.occupied a[href^="/households/"]');
		assert.ok(await hh.count() > 0, 'household links in the plan');
		const hhref = await hh.first().getAttribute('href');
		const cell = page.locator(`table.plan td.occupied:has(a[href="${hhref}"])`).first();
		const head = (await hh.first().innerText()).trim();
		const size = Number((await cell.locator('.muted').innerText()).replace(/\D/g, ''));
		await hh.first().click();
		await page.waitForURL((u) => u.pathname === hhref);

		assert.match(await page.locator('main h1').innerText(), /^户/);
		assert.match(await page.locator('main h2').first().innerText(), /家庭成员/);
		const table = page.locator('main h2:has-text("家庭成员") + .scroll table');
		const headers = (await table.locator('thead th').allInnerTexts()).map((s) => s.trim());
		const relCol = headers.indexOf('与户主关系');
		assert.ok(relCol >= 0, `与户主关系 column (have ${headers.join('、')})`);
		const rows = table.locator('tbody tr');
		assert.equal(await rows.count(), size, `the plan said ${size}人`);
		const members = await rows.evaluateAll((trs, col) => trs.map((tr) => ({
			name: tr.cells[0].innerText.trim(), rel: tr.cells[col].innerText.trim(),
		})), relCol);
		const heads = members.filter((m) => m.rel === '户主');
		assert.equal(heads.length, 1, `one 户主 (${members.map((m) => m.name + ':' + m.rel).join('、')})`);
		assert.equal(heads[0].name, head, 'the plan shows the 户主 name');
		for (const m of members) assert.match(m.rel, HAN, `${m.name}'s relation is a Chinese label`);
	});
});

test('6. a grid worker sees only their grid; another grid\'s person is a 403 page in Chinese', async () => {
	await journey('06-grid-worker-403', DESKTOP, async (state) => {
		const { page } = state;
		const token = await apiLogin();
		const other = await api('GET', '/api/v1/persons?grid_id=2&per_page=5', undefined, token);
		assert.equal(other.status, 200, other.text);
		assert.ok(other.json.items.length > 0, 'persons in grid 2');
		const outsider = other.json.items[0];
		assert.equal(outsider.grid_id, 2);
		const own = await api('GET', '/api/v1/persons?grid_id=1&per_page=1', undefined, token);
		const ownTotal = own.json.total;

		await login(page, USERS.wangge, '/persons');
		const h1 = await page.locator('main h1').innerText();
		assert.match(h1, new RegExp(`共 ${ownTotal} 条`), `the grid worker's list has grid 1's ${ownTotal} persons: ${h1}`);
		assert.equal(await page.locator(`main table a[href="/persons/${outsider.id}"]`).count(), 0);
		assert.equal(await page.locator('#f-grid_id').count(), 0, 'no grid filter for a grid worker');

		// Searching for the outsider by name does not find them either.
		await page.goto(`${base}/persons?q=${encodeURIComponent(outsider.name)}`);
		assert.equal(await page.locator(`main table a[href="/persons/${outsider.id}"]`).count(), 0);

		const resp = await page.goto(`${base}/persons/${outsider.id}`);
		assert.equal(resp.status(), 403);
		const title = await page.locator('main h1').innerText();
		assert.match(title, /^403/);
		const msg = await page.locator('main .notice.err').innerText();
		assert.match(msg, HAN, `a Chinese message: ${msg}`);
		assert.ok(!(await page.locator('main').innerText()).includes(outsider.name), 'the outsider\'s name is not shown');
		assert.equal(await page.locator('dd#v-id_number').count(), 0, 'no record fields on the 403 page');
		assert.ok(await page.locator('header nav').isVisible(), 'the 403 page keeps the navigation');
	});
});

test('7. phone 390×844: person list and person page fit the screen width', async () => {
	await journey('07-phone', PHONE, async (state) => {
		const { page } = state;
		const fits = async (what) => {
			const m = await page.evaluate(() => ({
				sw: document.documentElement.scrollWidth, iw: window.innerWidth,
				bw: document.body.scrollWidth,
			}));
			assert.ok(m.sw <= m.iw + 1, `${what}: page is ${m.sw}px wide in a ${m.iw}px window`);
			assert.ok(m.bw <= m.iw + 1, `${what}: body is ${m.bw}px wide in a ${m.iw}px window`);
		};
		const tablesScroll = async (what) => {
			const loose = await page.evaluate(() => [...document.querySelectorAll('main table')]
				.filter((t) => t.scrollWidth > window.innerWidth && !t.closest('.scroll')).length);
			assert.equal(loose, 0, `${what}: every wide table is inside a .scroll container`);
		};

		await login(page, USERS.admin, '/persons');
		await fits('/persons');
		await tablesScroll('/persons');
		assert.ok(await page.locator('main .scroll table').count() >= 1);
		await shot(page, '07a-phone-persons');

		const first = page.locator('main table tbody tr td:first-child a').first();
		const href = await first.getAttribute('href');
		await first.click();
		await page.waitForURL((u) => u.pathname === href);
		assert.ok(await page.locator('dd#v-id_number').isVisible());
		await fits(href);
		await tablesScroll(href);

		await page.goto(`${base}/`);
		await fits('/');
		await page.goto(`${base}${href}`);
	});
});

test('8. import a roster through the page: preview of the mapping, confirm, progress, summary and report', async () => {
	// a small roster as a committee keeps it: title row, its own headers, one bad row
	const a = idNumber('11010519560312003');
	const b = idNumber('11010519880704002');
	const csv = '\ufeff阳光社区居民花名册（2026年）,,,,\r\n' +
		'名字,身份证号码,人员类型,手机,星座\r\n' +
		`周桂英,${a},户籍,138 0000 1111,白羊\r\n` +
		`吴建国,${b},流动人口,13900002222,巨蟹\r\n` +
		'郑错号,110105195603120000,户籍,,\r\n';
	const file = join(dir, 'roster.csv');
	writeFileSync(file, csv);
	await journey('08-import', DESKTOP, async ({ page }) => {
		await login(page, USERS.admin, '/persons');
		await page.getByRole('link', { name: '导入 Excel' }).click();
		await page.waitForURL((u) => u.pathname === '/import');
		await page.locator('#f-file').setInputFiles(file);
		await submitAndWait(page, page.getByRole('button', { name: '上传并预览' }));
		// the dry run finishes; the page reloads itself until then
		await page.getByRole('button', { name: '确认导入' }).waitFor();
		const mapping = await page.locator('table.preview thead tr').nth(1).locator('td').allInnerTexts();
		assert.deepEqual(mapping.map((t) => t.trim()), ['姓名', '公民身份号码', '人口类型', '联系电话', '忽略']);
		const main = await page.locator('main').innerText();
		assert.match(main, /尚未保存/);
		assert.match(main, /星座/, 'the unknown column is listed');
		assert.ok(!main.includes(a), 'the preview masks ID numbers');
		await shot(page, '08a-import-preview');
		// nothing stored yet
		const token = await apiLogin();
		let r = await api('GET', `/api/v1/persons?q=${a.slice(-6)}`, undefined, token);
		assert.equal(r.json.total, 0, 'the preview stores nothing');

		await submitAndWait(page, page.getByRole('button', { name: '确认导入' }));
		await page.getByText('导入完成，已保存').waitFor();
		const done = await page.locator('main').innerText();
		assert.match(done, /新增\s*2 人/);
		assert.match(done, /拒绝\s*1 行/);
		assert.match(done, /第?5/, 'the rejected row is named by its row number');
		r = await api('GET', `/api/v1/persons?q=${a.slice(-6)}`, undefined, token);
		assert.equal(r.json.total, 1);
		assert.equal(r.json.items[0].name, '周桂英');

		const [download] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('link', { name: /下载导入报告/ }).click(),
		]);
		const saved = join(dir, 'report.xlsx');
		await download.saveAs(saved);
		assert.equal(readFileSync(saved).subarray(0, 2).toString('latin1'), 'PK', 'the report is an xlsx (zip) file');
	});
});

test('9. export the filtered person list from its page as Excel and CSV', async () => {
	await journey('09-export', DESKTOP, async ({ page }) => {
		await login(page, USERS.admin, '/persons?age_band=60%2B');
		const total = Number((await page.locator('main h1 .muted').innerText()).match(/\d+/)[0]);
		const [xlsx] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('button', { name: '导出 Excel' }).click(),
		]);
		assert.match(xlsx.suggestedFilename(), /^居民-\d{8}\.xlsx$/);
		const xp = join(dir, 'export.xlsx');
		await xlsx.saveAs(xp);
		assert.equal(readFileSync(xp).subarray(0, 2).toString('latin1'), 'PK');
		const [csv] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('button', { name: '导出 CSV' }).click(),
		]);
		const cp = join(dir, 'export.csv');
		await csv.saveAs(cp);
		const text = readFileSync(cp, 'utf8');
		assert.ok(text.startsWith('\ufeff姓名,'), 'CSV with BOM and Chinese headers');
		const lines = text.trim().split('\r\n');
		assert.equal(lines.length - 1, total, 'the CSV holds the filtered list');
		assert.ok(!/\d{17}[\dX]/.test(text), 'ID numbers are masked in a default export');
	});
});

test('10. ledgers: the elderly ledger, its statistics drawn as SVG, a disabled entry made through the form, its departmental export', async () => {
	await journey('10-ledgers', DESKTOP, async ({ page }) => {
		await login(page, USERS.zhuren, '/ledgers');
		const titles = await page.locator('main table tbody tr td:first-child a').allTextContents();
		assert.ok(titles.includes('老年人台账') && titles.includes('社区矫正对象台账'), `ledgers listed: ${titles.join(',')}`);
		await page.getByRole('link', { name: '老年人台账' }).click();
		await page.waitForURL((u) => u.pathname === '/ledgers/elderly');
		const total = Number((await page.locator('main h1 .muted').innerText()).match(/\d+/)[0]);
		assert.ok(total > 0, 'the demo community has people over 60');
		await page.locator('main').getByRole('link', { name: '统计' }).click();
		await page.waitForURL((u) => u.pathname === '/ledgers/elderly/stats');
		assert.ok(await page.locator('svg.chart').count() >= 4, 'the charts are on the page');
		const box = await page.locator('svg.chart').first().boundingBox();
		assert.ok(box && box.width > 200 && box.height > 50, 'a chart is drawn at a readable size');
		await shot(page, '10a-elderly-stats');

		// a disabled entry through the form: a wrong card number is refused next to its field
		const token = await apiLogin(USERS.zhuren);
		const people = await api('GET', '/api/v1/persons?age_band=15-59&per_page=1', undefined, token);
		const pid = people.json.items[0].id;
		const full = await api('POST', `/api/v1/persons/${pid}/reveal`, { reason: 'business' }, token);
		const idn = full.json.id_number;
		await page.goto(`${base}/ledgers/disabled/new?subject_id=${pid}`);
		await page.locator('#f-category').selectOption('肢体残疾');
		await page.locator('#f-grade').selectOption('二级');
		await page.locator('#f-card_no').fill(`${idn}52`);
		const bad = await submitAndWait(page, page.getByRole('button', { name: '保存' }));
		assert.equal(bad.status(), 422);
		assert.match(await page.locator('#e-card_no').innerText(), /类别/);
		await page.locator('#f-card_no').fill(`${idn}42`);
		await submitAndWait(page, page.getByRole('button', { name: '保存' }));
		assert.match(new URL(page.url()).pathname, /^\/ledgers\/disabled\/entries\/\d+$/);
		assert.equal((await page.locator('dd#v-category').innerText()).trim(), '肢体残疾');
		await page.goto(`${base}/ledgers/disabled`);
		const [xlsx] = await Promise.all([
			page.waitForEvent('download'),
			page.getByRole('link', { name: /导出：残疾人基本情况登记表/ }).click(),
		]);
		const xp = join(dir, 'disabled.xlsx');
		await xlsx.saveAs(xp);
		assert.equal(readFileSync(xp).subarray(0, 2).toString('latin1'), 'PK');
	});
});

test('11. ledgers: a household put into 低保 by finding it by a member\'s name (picker, no numbers typed)', async () => {
	await journey('11-ledger-picker', DESKTOP, async ({ page }) => {
		await login(page, USERS.zhuren, '/ledgers/dibao/new');
		const token = await apiLogin(USERS.zhuren);
		const open = await api('GET', '/api/v1/ledgers/dibao/entries?per_page=100', undefined, token);
		const taken = new Set(open.json.items.map((e) => e.subject_id));
		const people = await api('GET', '/api/v1/persons?per_page=100', undefined, token);
		const who = people.json.items.find((p) => p.household_id && !taken.has(p.household_id));
		assert.ok(who, 'a person in a household not yet in 低保');
		await page.locator('#f-find').fill(who.name);
		await submitAndWait(page, page.getByRole('button', { name: '查找' }), 'GET');
		const radio = page.locator(`input[type=radio][name=subject_id][value="${who.household_id}"]`);
		assert.equal(await radio.count(), 1, `the picker offers the household of ${who.name}`);
		await shot(page, '11a-picker');
		await radio.check();
		await page.locator('#f-amount').fill('860');
		await submitAndWait(page, page.getByRole('button', { name: '保存' }));
		assert.match(new URL(page.url()).pathname, /^\/ledgers\/dibao\/entries\/\d+$/);
		const link = await page.locator('main dl.fields dd a').first().getAttribute('href');
		assert.equal(link, `/households/${who.household_id}`);
	});
});

test('12. the 楼盘表 as grid workers use it: units side by side, marked rooms, legend with counts, A4 landscape print', async () => {
	await journey('12-building-plan-marks', DESKTOP, async ({ page }) => {
		// the director reads the restricted correction ledger: its mark is in the legend
		await login(page, USERS.zhuren, '/buildings/1');
		const legend = page.locator('ul.legend li');
		const keys = await legend.evaluateAll((lis) => lis.map((li) => li.dataset.mark));
		for (const k of ['vacant', 'rented', 'migrant', 'alone', 'dibao', 'disabled', 'correction'])
			assert.ok(keys.includes(k), `legend has ${k} (${keys.join(',')})`);
		const counts = await legend.locator('b').allInnerTexts();
		assert.ok(counts.every((n) => /^\d+$/.test(n.trim())), `legend counts ${counts.join(',')}`);
		// a legend count is the number of rooms with that class
		for (const k of ['vacant', 'alone']) {
			const n = Number((await page.locator(`ul.legend li[data-mark="${k}"] b`).innerText()).trim());
			assert.equal(await page.locator(`table.plan td.m-${k}`).count(), n, `${k}: legend and rooms agree`);
		}
		// every unit is a column group of the one table's header
		const units = await page.locator('table.plan thead th.unit').allInnerTexts();
		assert.ok(units.length >= 1 && units.every((u) => /^\d+ 单元$/.test(u.trim())), `unit headers ${units.join(',')}`);
		assert.equal(await page.locator('table.plan').count(), 1, 'units side by side in one table');
		// rooms of different marks look different
		const bg = async (sel) => page.locator(sel).first().evaluate((el) => getComputedStyle(el).backgroundColor);
		if (await page.locator('table.plan td.m-vacant').count() && await page.locator('table.plan td.occupied:not(.m-rented)').count())
			assert.notEqual(await bg('table.plan td.m-vacant'), await bg('table.plan td.occupied:not(.m-rented)'));

		// the print page: A4 landscape
		await page.getByRole('link', { name: /打印版/ }).click();
		await page.waitForURL((u) => u.pathname === '/buildings/1/plan');
		assert.equal(await page.locator('section.plan-sheet').count(), 1);
		await shot(page, '12a-building-plan-print-page');
		const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
		const box = pdf.toString('latin1').match(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/);
		assert.ok(box, 'a page size in the PDF');
		const [w, h] = [Number(box[1]), Number(box[2])];
		assert.ok(Math.abs(w - 841.9) < 2 && Math.abs(h - 595.3) < 2, `A4 landscape page, got ${w}×${h} pt`);
		writeFileSync(join(SHOTS, '12b-building-plan.pdf'), pdf);

		// the grid worker may not read it: no correction mark, not even as a class
		await page.context().clearCookies();
		await login(page, USERS.wangge, '/buildings/1');
		const html = await page.content();
		assert.ok(!/m-correction|矫正/.test(html), 'no correction mark for a grid worker');
		assert.ok(await page.locator('ul.legend li[data-mark="alone"]').count() === 1, 'the grid worker sees 独居老人');
	});
});

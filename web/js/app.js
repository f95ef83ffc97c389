// The swarmhub web app: every action is a line-protocol command over /ws (line_socket.js),
// every update a reply or an event. Nothing here is an API of its own.
import { LineSocket, quote } from './line_socket.js';
import { parseFileLine, parseGroupLine, parseHistoryLine, formatSize, magnetLink } from './parse.js';

const $ = (id) => document.getElementById(id);
const RESUME_KEY = 'swarmhub.resume';
const FILES_REFRESH_MS = 5000;

const state = {
  socket: null,
  me: '',
  view: 'room:lobby',          // room:<name> or dm:<user>
  logs: new Map(),             // view -> [{from, text, mine, system}]
  loaded: new Set(),           // rooms whose history was fetched
  unread: new Map(),
  rooms: ['lobby'],
  groups: [],                  // {name, owner, members, mode}
  pending: new Map(),          // owned group -> waiting requests
  dms: new Set(),
  passkey: '',
  fileInfo: new Map(),         // group/name -> info_hash
  filesTimer: 0,
};

// ---- small DOM helpers (text only: nothing the tracker sends is parsed as HTML) ----
function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}
function status(text) { $('status').textContent = text; }
function roomOf(view) { return view.startsWith('room:') ? view.slice(5) : ''; }

// ---- the session: log in, resume after a reload, log out ----
function saveResume(user, token) {
  sessionStorage.setItem(RESUME_KEY, JSON.stringify({ user, token }));
}
function takeResume() {
  try { return JSON.parse(sessionStorage.getItem(RESUME_KEY) || 'null'); } catch { return null; }
}

async function connect() {
  state.socket = new LineSocket();
  state.socket.addEventListener('event', (e) => onEvent(e.detail));
  state.socket.addEventListener('close', onClosed);
  status('connecting…');
  await state.socket.open();
  status('connected');
  const saved = takeResume();
  if (saved && (await resume(saved))) return;
  showLogin();
}

// A token is used once: the reply's data line is the next one, kept for the next reload.
// ALREADY_ONLINE right after a reload is the old page's connection, still closing.
async function resume(saved) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const r = await send(`resume ${quote(saved.user)} ${quote(saved.token)}`);
    if (r.ok) {
      if (r.data[0]) saveResume(saved.user, r.data[0]);
      return true;
    }
    if (r.code !== 'ALREADY_ONLINE') break;
    await new Promise((done) => setTimeout(done, 250));
  }
  sessionStorage.removeItem(RESUME_KEY);
  return false;
}

function onClosed() {
  status('disconnected');
  if (takeResume()) setTimeout(() => connect().catch(() => status('offline')), 2000);
}

function showLogin() {
  $('app').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('me').textContent = '';
  $('login-name').focus();
}

async function login(create) {
  const name = $('login-name').value.trim();
  const password = $('login-password').value;
  $('login-error').textContent = '';
  if ('Notification' in window && Notification.permission === 'default') {
    Notification.requestPermission().catch(() => {});
  }
  if (create) {
    const made = await send(`create_user ${quote(name)} ${quote(password)}`);
    if (!made.ok) { $('login-error').textContent = `${made.code}: ${made.text}`; return; }
  }
  const r = await send(`login ${quote(name)} ${quote(password)}`);
  if (!r.ok) { $('login-error').textContent = `${r.code}: ${r.text}`; return; }
  $('login-password').value = '';
  const token = await send('resume_token');
  if (token.ok) saveResume(state.me || name, token.text.trim());
}

async function loggedIn(user) {
  state.me = user;
  $('me').textContent = user;
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  status('online');
  await Promise.all([refreshRooms(), refreshOnline(), refreshGroups()]);
  await openView('room:lobby');
  $('text').focus();
}

async function logout() {
  sessionStorage.removeItem(RESUME_KEY);
  await send('logout');
  state.me = '';
  state.logs.clear();
  state.loaded.clear();
  state.pending.clear();
  showLogin();
}

function send(line) {
  return state.socket.request(line);
}

// ---- events ----
function onEvent({ name, text }) {
  const [first, ...rest] = text.split(' ');
  switch (name) {
    case 'LOGGED_IN': loggedIn(text); break;
    case 'ROOM': {
      const [sender, ...words] = rest;
      append(`room:${first}`, { from: sender, text: words.join(' ') });
      break;
    }
    case 'MSG':
      state.dms.add(first);
      renderDms();
      append(`dm:${first}`, { from: first, text: rest.join(' ') });
      break;
    case 'PAIR': append('room:pair', { from: first, text: rest.join(' ') }); break;
    case 'PAIRED':
      note(`paired with ${first}`);
      refreshRooms().then(() => openView('room:pair'));
      break;
    case 'PAIR_ENDED':
      note(`pair with ${first} ended (${rest.join(' ')})`, 'room:pair');
      if (state.view === 'room:pair') openView('room:lobby');
      refreshRooms();
      break;
    case 'AWAY': refreshOnline(); break;
    case 'JOINED': case 'LEFT':
      append(`room:${first}`, { system: true, text: `${rest[0]} ${name === 'JOINED' ? 'joined' : 'left'}` }, false);
      if (first === 'lobby') refreshOnline();
      if (state.view === `room:${first}`) refreshFiles();
      break;
    case 'JOIN_REQUEST':
      state.pending.set(first, (state.pending.get(first) || 0) + 1);
      note(`${rest[0]} asks to join ${first}`);
      refreshGroups();
      break;
    case 'PENDING_REQUESTS':
      state.pending.set(first, Number(rest[0]) || 0);
      renderGroups();
      break;
    case 'REQUEST_ACCEPTED':
      note(`you are now a member of ${first}`);
      refreshRooms();
      refreshGroups();
      break;
    case 'REMOVED_FROM':
      note(`${rest[0]} removed you from ${first}`);
      refreshRooms();
      refreshGroups();
      break;
    case 'REQUEST_REJECTED': note(`your request to join ${first} was turned down`); refreshGroups(); break;
    case 'OWNER': note(`you own ${first} now`); refreshGroups(); break;
    case 'NOTICE': note(text); break;
    case 'CLOSING': status(`closed: ${text}`); break;
    default: break;
  }
}

function note(text, view = state.view) {
  append(view, { system: true, text });
}

function mentions(text) {
  return state.me !== '' && new RegExp(`(^|\\W)@?${state.me.replace(/[^\w-]/g, '')}(\\W|$)`, 'i').test(text);
}

function append(view, message, count = true) {
  if (!state.logs.has(view)) state.logs.set(view, []);
  state.logs.get(view).push(message);
  if (view === state.view) {
    $('messages').append(renderMessage(message));
    $('messages').lastChild.scrollIntoView({ block: 'end' });
  } else if (count && !message.system) {
    state.unread.set(view, (state.unread.get(view) || 0) + 1);
    renderRooms();
    renderDms();
  }
  if (!message.mine && !message.system && (view.startsWith('dm:') || mentions(message.text)) &&
      document.hidden && 'Notification' in window && Notification.permission === 'granted') {
    new Notification(`${message.from} in ${view.replace(':', ' ')}`, { body: message.text });
  }
}

function renderMessage(m) {
  const li = el('li', { class: m.system ? 'system' : m.mine ? 'mine' : '' });
  if (m.time) li.append(el('span', { class: 'meta' }, `${m.time.slice(11, 16)} `));
  if (m.from) li.append(el('span', { class: 'from' }, m.from));
  const body = el('span', { class: 'body' }, m.text);
  if (!m.mine && !m.system && mentions(m.text)) body.classList.add('mention');
  li.append(body);
  return li;
}

// ---- views ----
async function openView(view) {
  state.view = view;
  state.unread.delete(view);
  const room = roomOf(view);
  $('room-title').textContent = room ? (room === 'pair' ? 'pair chat' : room) : `@${view.slice(3)}`;
  if (room) {
    await send(`room ${quote(room)}`);
    if (room !== 'pair' && !state.loaded.has(room)) {
      const h = await send(`history ${quote(room)} 50`);
      if (h.ok) {
        const older = h.data.map(parseHistoryLine).filter(Boolean)
          .map((m) => ({ ...m, mine: m.from === state.me }));
        state.logs.set(view, [...older, ...(state.logs.get(view) || [])]);
        state.loaded.add(room);
      }
    }
  }
  const list = $('messages');
  list.replaceChildren(...(state.logs.get(view) || []).map(renderMessage));
  if (list.lastChild) list.lastChild.scrollIntoView({ block: 'end' });
  renderRooms();
  renderDms();
  closeMenu();
  clearInterval(state.filesTimer);
  const group = room && room !== 'lobby' && room !== 'pair' ? room : '';
  $('files').hidden = !group;
  if (group) {
    await refreshFiles();
    // The tracker sends no event when a seeder comes or goes: the list is polled while shown.
    state.filesTimer = setInterval(refreshFiles, FILES_REFRESH_MS);
  }
}

async function sendText(text) {
  if (!text) return;
  const room = roomOf(state.view);
  const line = room ? `say ${text}` : `msg ${quote(state.view.slice(3))} ${text}`;
  const r = await send(line);
  if (r.ok) append(state.view, { from: state.me, text, mine: true });
  else note(`${r.code}: ${r.text}`);
}

// ---- rooms, people, groups ----
async function refreshRooms() {
  const r = await send('rooms');
  if (r.ok) state.rooms = r.data.map((line) => line.replace(/ \(current\)$/, ''));
  renderRooms();
}

function viewButton(view, label) {
  const unread = state.unread.get(view);
  const b = el('button', { class: 'link', type: 'button', onclick: () => openView(view) }, label);
  b.dataset.view = view;
  if (view === state.view) b.setAttribute('aria-current', 'true');
  const li = el('li', {}, b);
  if (unread) li.append(el('span', { class: 'badge', 'aria-label': `${unread} unread` }, String(unread)));
  return li;
}

function renderRooms() {
  $('rooms').replaceChildren(...state.rooms.map((r) => viewButton(`room:${r}`, r === 'pair' ? 'pair chat' : r)));
}

function renderDms() {
  $('dms').replaceChildren(...[...state.dms].map((u) => viewButton(`dm:${u}`, `@${u}`)));
}

async function refreshOnline() {
  const r = await send('list');
  if (!r.ok) return;
  $('online-count').textContent = `(${r.data.length})`;
  // A line is "<name>", or "<name> away <text>".
  $('online').replaceChildren(...r.data.map((line) => {
    const [u, ...rest] = line.split(' ');
    const li = el('li', {}, rest[0] === 'away' ? `${u} (away: ${rest.slice(1).join(' ')})` : u);
    if (u !== state.me) {
      li.append(el('button', { type: 'button', class: 'link', 'aria-label': `message ${u}`,
        onclick: () => { state.dms.add(u); openView(`dm:${u}`); } }, 'message'));
    }
    return li;
  }));
}

async function refreshGroups() {
  const r = await send('list_groups');
  if (!r.ok) return;
  state.groups = r.data.map(parseGroupLine).filter(Boolean);
  for (const g of state.groups) {
    if (g.owner !== state.me) continue;
    const q = await send(`list_requests ${quote(g.name)}`);
    if (q.ok) {
      g.requests = q.data.map((line) => line.split(' ')[0]);
      state.pending.set(g.name, g.requests.length);
    }
  }
  renderGroups();
}

function renderGroups() {
  const total = [...state.pending.values()].reduce((a, b) => a + b, 0);
  $('pending-badge').hidden = total === 0;
  $('pending-badge').textContent = String(total);
  const member = new Set(state.rooms);
  $('groups').replaceChildren(...state.groups.map((g) => {
    const li = el('li', { dataset: { group: g.name } },
      el('span', {}, g.name),
      el('span', { class: 'meta' }, `${g.mode} · ${g.members} member${g.members === 1 ? '' : 's'} · ${g.owner}`));
    const act = (label, line) => el('button', { type: 'button', onclick: async () => {
      const res = await send(line);
      note(res.ok ? res.text : `${res.code}: ${res.text}`);
      await refreshRooms();
      await refreshGroups();
      await refreshFiles();
    } }, label);
    if (g.owner === state.me) {
      const other = g.mode === 'open' ? 'sealed' : 'open';
      const b = act(`make ${other}`, `group_mode ${quote(g.name)} ${other}`);
      b.dataset.mode = other;
      li.append(b);
    }
    if (member.has(g.name)) {
      li.append(el('button', { type: 'button', class: 'link', onclick: () => openView(`room:${g.name}`) }, 'open'));
      li.append(act('leave', `leave_group ${quote(g.name)}`));
    } else {
      li.append(act('ask to join', `join_group ${quote(g.name)}`));
    }
    if (g.requests && g.requests.length) {
      const ul = el('ul', { class: 'list requests', 'aria-label': `requests to join ${g.name}` });
      for (const u of g.requests) {
        ul.append(el('li', { dataset: { request: u } }, u,
          act('accept', `accept_request ${quote(g.name)} ${quote(u)}`),
          act('reject', `reject_request ${quote(g.name)} ${quote(u)}`)));
      }
      li.append(ul);
    }
    return li;
  }));
}

// ---- files of the shown group ----
async function refreshFiles() {
  const group = roomOf(state.view);
  if (!group || group === 'lobby' || group === 'pair') return;
  const r = await send(`list_files ${quote(group)}`);
  if (!r.ok || roomOf(state.view) !== group) return;
  const info = state.groups.find((g) => g.name.toLowerCase() === group.toLowerCase());
  const open = info && info.mode === 'open';
  if (open && !state.passkey) {
    const k = await send('passkey');
    if (k.ok) state.passkey = k.text.trim();
  }
  const rows = [];
  for (const f of r.data.map(parseFileLine).filter(Boolean)) {
    const get = el('td');
    // A file shared while the group was sealed stays sealed: no .torrent or magnet for it.
    if (open && f.mode === 'open') {
      const key = `${group}/${f.name}`;
      if (!state.fileInfo.has(key)) {
        const fi = await send(`file_info ${quote(group)} ${quote(f.name)}`);
        const line = fi.ok ? fi.data.find((d) => d.startsWith('info_hash ')) : '';
        state.fileInfo.set(key, line ? line.slice(10) : '');
      }
      const torrent = `/torrents/${encodeURIComponent(group)}/${encodeURIComponent(f.name)}?pk=${encodeURIComponent(state.passkey)}`;
      get.append(el('a', { href: torrent, download: `${f.name}.torrent`, class: 'torrent' }, '.torrent'), ' ');
      const announce = `${location.origin}/announce/${encodeURIComponent(group)}?pk=${encodeURIComponent(state.passkey)}`;
      const hash = state.fileInfo.get(key);
      if (hash) get.append(el('a', { href: magnetLink(hash, f.name, announce), class: 'magnet' }, 'magnet'));
    } else {
      get.append(el('code', {}, `download_file ${quote(group)} ${quote(f.name)} <dir>`));
    }
    rows.push(el('tr', { dataset: { file: f.name } },
      el('td', {}, (f.files ? `${f.name}/ (folder, ${f.files} files)` : f.name) +
        (open && f.mode === 'sealed' ? ' (sealed)' : '')),
      el('td', {}, formatSize(f.size)),
      el('td', {}, `${f.seeders}${f.leechers ? ` (+${f.leechers} leeching)` : ''}`), get));
  }
  $('file-rows').replaceChildren(...rows);
  $('fetch-hint').replaceChildren(open
    ? 'Open group: any BitTorrent client can use the .torrent or magnet link (they carry your passkey: keep them to yourself).'
    : el('span', {}, 'Sealed group: fetch with the swarmhub client, logged in as you: ',
        el('code', {}, 'download_file <group> <file> <destination>')));
}

// ---- wiring ----
function closeMenu() {
  $('side').classList.remove('open');
  $('menu-toggle').setAttribute('aria-expanded', 'false');
}

function wire() {
  $('login-form').addEventListener('submit', (e) => { e.preventDefault(); login(false); });
  $('create-button').addEventListener('click', () => {
    if ($('login-form').reportValidity()) login(true);
  });
  $('logout').addEventListener('click', logout);
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value.trim();
    $('text').value = '';
    sendText(text);
  });
  $('dm-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const u = $('dm-user').value.trim();
    if (!u) return;
    $('dm-user').value = '';
    state.dms.add(u);
    openView(`dm:${u}`).then(() => $('text').focus());
  });
  $('group-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const g = $('group-name').value.trim();
    if (!g) return;
    const r = await send(`create_group ${quote(g)}`);
    note(r.ok ? r.text : `${r.code}: ${r.text}`);
    if (r.ok) $('group-name').value = '';
    await refreshRooms();
    await refreshGroups();
  });
  $('pair-button').addEventListener('click', async () => {
    const r = await send('pair');
    note(r.ok ? r.text : `${r.code}: ${r.text}`);
    if (r.ok && r.text.startsWith('paired')) {
      await refreshRooms();
      await openView('room:pair');
    }
  });
  $('groups-refresh').addEventListener('click', refreshGroups);
  // Nothing tells a page that a group was made elsewhere: look again when the user comes back.
  window.addEventListener('focus', () => { if (state.me) refreshGroups(); });
  $('menu-toggle').addEventListener('click', () => {
    const open = $('side').classList.toggle('open');
    $('menu-toggle').setAttribute('aria-expanded', String(open));
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeMenu(); });
  // The tracker closes a connection idle for 5 minutes.
  setInterval(() => { if (state.socket) send('ping').catch(() => {}); }, 60000);
}

wire();
connect().catch((e) => status(`cannot connect: ${e.message}`));

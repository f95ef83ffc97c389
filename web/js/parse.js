// Pure helpers over the tracker's reply lines (docs/protocol.md): no DOM, no socket.

/** Splits off a first argument that may be double-quoted; returns [arg, rest]. */
export function firstArgument(line) {
  if (!line.startsWith('"')) {
    const space = line.indexOf(' ');
    return space < 0 ? [line, ''] : [line.slice(0, space), line.slice(space + 1)];
  }
  let out = '';
  for (let i = 1; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) { out += line[++i]; continue; }
    if (c === '"') return [out, line.slice(i + 2)];
    out += c;
  }
  return [out, ''];
}

function fields(text) {
  const out = {};
  for (const word of text.split(' ')) {
    const eq = word.indexOf('=');
    if (eq > 0) out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

/** `name size=N uploader=U mode=M seeders=S leechers=L [files=K]` (list_files; files= for a folder). */
export function parseFileLine(line) {
  const [name, rest] = firstArgument(line);
  const f = fields(rest);
  if (!name || f.size === undefined) return null;
  return { name, size: Number(f.size), uploader: f.uploader, mode: f.mode || 'sealed',
    seeders: Number(f.seeders) || 0,
    leechers: Number(f.leechers) || 0, files: Number(f.files) || 0 };
}

/** `name owner=O members=N mode=M` (list_groups). */
export function parseGroupLine(line) {
  const [name, rest] = firstArgument(line);
  const f = fields(rest);
  if (!name || !f.owner) return null;
  return { name, owner: f.owner, members: Number(f.members) || 0, mode: f.mode || 'sealed' };
}

/** `2026-01-02T03:04:05.678Z sender: text` (history). */
export function parseHistoryLine(line) {
  const m = /^(\S+) ([^:\s]+): (.*)$/s.exec(line);
  return m ? { time: m[1], from: m[2], text: m[3] } : null;
}

export function formatSize(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) { n /= 1024; u++; }
  return u === 0 ? `${n} B` : `${n.toFixed(1)} ${units[u]}`;
}

/** A magnet link: BitTorrent v2 (btmh, SHA-256 multihash) or v1 (btih) by the hash's length. */
export function magnetLink(infoHash, name, announce) {
  const xt = infoHash.length === 64 ? `urn:btmh:1220${infoHash}` : `urn:btih:${infoHash}`;
  return `magnet:?xt=${xt}&dn=${encodeURIComponent(name)}&tr=${encodeURIComponent(announce)}`;
}

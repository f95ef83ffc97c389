// The line protocol over the tracker's WebSocket (GET /ws): one request line per message
// out, one reply or event line per message in (docs/protocol.md). Replies come in the order
// of the requests and never have an event inside them, so a queue of waiting requests is
// all the bookkeeping needed.

/** Quotes an argument that holds a space, a quote or a backslash (protocol.md, Requests). */
export function quote(arg) {
  if (arg !== '' && !/[\s"\\]/.test(arg)) return arg;
  return '"' + arg.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** A reply: ok, the error code (ERR only), its words and its data lines. */
export function parseFinal(line, data) {
  if (line.startsWith('OK')) return { ok: true, code: '', text: line.slice(3), data };
  const rest = line.slice(4);
  const space = rest.indexOf(' ');
  return {
    ok: false,
    code: space < 0 ? rest : rest.slice(0, space),
    text: space < 0 ? '' : rest.slice(space + 1),
    data,
  };
}

export class LineSocket extends EventTarget {
  #ws = null;
  #waiting = [];
  #data = [];

  /** Connects; resolves once the tracker's HELLO arrives. */
  open() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#ws = new WebSocket(`${scheme}//${location.host}/ws`);
    return new Promise((resolve, reject) => {
      let greeted = false;
      this.#ws.onmessage = (m) => {
        const line = String(m.data);
        if (!greeted && line.startsWith('* HELLO')) {
          greeted = true;
          resolve();
          return;
        }
        this.#take(line);
      };
      this.#ws.onclose = () => {
        if (!greeted) reject(new Error('the tracker closed the connection'));
        for (const w of this.#waiting.splice(0)) w.reject(new Error('disconnected'));
        this.dispatchEvent(new Event('close'));
      };
      this.#ws.onerror = () => {};
    });
  }

  close() {
    if (this.#ws) this.#ws.close();
  }

  /** Sends one request line; resolves with its reply. */
  request(line) {
    return new Promise((resolve, reject) => {
      if (!this.#ws || this.#ws.readyState !== WebSocket.OPEN) {
        reject(new Error('not connected'));
        return;
      }
      this.#waiting.push({ resolve, reject });
      this.#ws.send(line);
    });
  }

  #take(line) {
    if (line.startsWith('* ')) {
      const body = line.slice(2);
      const space = body.indexOf(' ');
      const detail = {
        name: space < 0 ? body : body.slice(0, space),
        text: space < 0 ? '' : body.slice(space + 1),
      };
      this.dispatchEvent(new CustomEvent('event', { detail }));
    } else if (line.startsWith('- ')) {
      this.#data.push(line.slice(2));
    } else if (line.startsWith('OK') || line.startsWith('ERR')) {
      const reply = parseFinal(line, this.#data);
      this.#data = [];
      const w = this.#waiting.shift();
      if (w) w.resolve(reply);
    }
  }
}

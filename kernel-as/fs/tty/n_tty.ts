// The line discipline of a terminal (Linux drivers/tty/n_tty.c), the part a pty needs: the
// termios settings, input processing (CR/NL mapping, the signal characters under ISIG,
// canonical line editing with ERASE, KILL, EOF and EOL under ICANON, echo), the queue the
// reader takes from, and output processing (NL to CR-NL under OPOST|ONLCR). Start, stop and
// flow control (IXON), word erase, literal next and reprint are not handled.

// c_iflag, c_oflag, c_lflag bits (include/uapi/asm-generic/termbits.h).
const ISTRIP: u32 = 0x20;
const INLCR: u32 = 0x40;
const IGNCR: u32 = 0x80;
const ICRNL: u32 = 0x100;
const IXON: u32 = 0x400;
const OPOST: u32 = 0x1;
const ONLCR: u32 = 0x4;
const ISIG: u32 = 0x1;
const ICANON: u32 = 0x2;
const ECHO: u32 = 0x8;
const ECHOE: u32 = 0x10;
const ECHOK: u32 = 0x20;
const ECHONL: u32 = 0x40;
const NOFLSH: u32 = 0x80;
export const TOSTOP: u32 = 0x100;
const ECHOCTL: u32 = 0x200;
const ECHOKE: u32 = 0x800;
const IEXTEN: u32 = 0x8000;
// c_cflag: B38400 | CS8 | CREAD.
const CFLAG_DEFAULT: u32 = 0xf | 0x30 | 0x80;
// c_cc indexes.
const VINTR: i32 = 0;
const VQUIT: i32 = 1;
const VERASE: i32 = 2;
const VKILL: i32 = 3;
const VEOF: i32 = 4;
export const VTIME: i32 = 5;
export const VMIN: i32 = 6;
const VSUSP: i32 = 10;
const VEOL: i32 = 11;
const VEOL2: i32 = 16;
const NCCS: i32 = 19;
/** Linux's INIT_C_CC: ^C ^\ DEL ^U ^D, VTIME 0, VMIN 1, ^Q ^S ^Z, ^R ^O ^W ^V. */
const INIT_C_CC: u8[] = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0];
/** How much input a terminal holds (N_TTY_BUF_SIZE). */
export const N_TTY_BUF_SIZE: i32 = 4096;

/** struct termios2 as the kernel keeps it: the first 36 bytes are struct termios (TCGETS). */
export const TERMIOS_SIZE: i32 = 36;
export const TERMIOS2_SIZE: i32 = 44;

export class Termios {
  iflag: u32 = 0;
  oflag: u32 = 0;
  cflag: u32 = CFLAG_DEFAULT;
  lflag: u32 = 0;
  cc: StaticArray<u8> = new StaticArray<u8>(NCCS);
  speed: u32 = 38400;

  /** The settings of a new terminal (tty_std_termios); a pty master's are raw. */
  static standard(): Termios {
    const t = new Termios();
    t.iflag = ICRNL | IXON;
    t.oflag = OPOST | ONLCR;
    t.lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
    for (let i = 0; i < NCCS; i++) t.cc[i] = INIT_C_CC[i];
    return t;
  }

  static raw(): Termios {
    const t = new Termios();
    for (let i = 0; i < NCCS; i++) t.cc[i] = INIT_C_CC[i];
    return t;
  }

  /** Writes struct termios (size 36) or termios2 (44) at p. */
  encode(p: usize, size: i32): void {
    store<u32>(p, this.iflag);
    store<u32>(p + 4, this.oflag);
    store<u32>(p + 8, this.cflag);
    store<u32>(p + 12, this.lflag);
    store<u8>(p + 16, 0); // c_line: N_TTY
    for (let i = 0; i < NCCS; i++) store<u8>(p + 17 + <usize>i, this.cc[i]);
    if (size == TERMIOS2_SIZE) {
      store<u32>(p + 36, this.speed);
      store<u32>(p + 40, this.speed);
    }
  }

  decode(p: usize, size: i32): void {
    this.iflag = load<u32>(p);
    this.oflag = load<u32>(p + 4);
    this.cflag = load<u32>(p + 8);
    this.lflag = load<u32>(p + 12);
    for (let i = 0; i < NCCS; i++) this.cc[i] = load<u8>(p + 17 + <usize>i);
    if (size == TERMIOS2_SIZE) this.speed = load<u32>(p + 40);
  }

  @inline get canonical(): bool { return (this.lflag & ICANON) != 0; }
}

/** A byte ring of fixed capacity. */
export class ByteQueue {
  private buf: StaticArray<u8>;
  private head: i32 = 0;
  len: i32 = 0;

  constructor(public capacity: i32) {
    this.buf = new StaticArray<u8>(capacity);
  }

  @inline get room(): i32 { return this.capacity - this.len; }

  push(c: u8): bool {
    if (this.len == this.capacity) return false;
    this.buf[(this.head + this.len) % this.capacity] = c;
    this.len++;
    return true;
  }

  /** Removes the newest byte (an erase). */
  popLast(): i32 {
    if (this.len == 0) return -1;
    this.len--;
    return this.buf[(this.head + this.len) % this.capacity];
  }

  shift(): u8 {
    const c = this.buf[this.head];
    this.head = (this.head + 1) % this.capacity;
    this.len--;
    return c;
  }

  clear(): void {
    this.head = 0;
    this.len = 0;
  }
}

/** What input processing asks of the terminal: a signal for the foreground group. */
export let signalToSend: i32 = 0;

/** A terminal's line discipline: the settings, the reader's queue, the line being edited, and
 *  where echo and output go (the other side's queue). */
export class LineDiscipline {
  termios: Termios = Termios.standard();
  /** Bytes the reader may take: whole lines in canonical mode. */
  readable: ByteQueue = new ByteQueue(N_TTY_BUF_SIZE);
  /** Ends of lines in `readable` (offsets from its head, counting down as bytes are read):
   *  a canonical read stops at one. An EOF ends a line without a byte of its own. */
  lineEnds: i32[] = [];
  /** The canonical line not yet ended. */
  line: ByteQueue = new ByteQueue(N_TTY_BUF_SIZE);

  constructor(public echoTo: ByteQueue) {}

  /** Takes one input byte (a write to the master). Returns false when there is no room (the
   *  writer waits); signalToSend is set when the byte raised a signal. */
  input(b: u8): bool {
    const tio = this.termios;
    let c = b;
    if ((tio.iflag & ISTRIP) != 0) c &= 0x7f;
    if (c == 13) {
      if ((tio.iflag & IGNCR) != 0) return true;
      if ((tio.iflag & ICRNL) != 0) c = 10;
    } else if (c == 10 && (tio.iflag & INLCR) != 0) {
      c = 13;
    }
    if ((tio.lflag & ISIG) != 0 && c != 0) {
      const sig = c == tio.cc[VINTR] ? 2 : c == tio.cc[VQUIT] ? 3 : c == tio.cc[VSUSP] ? 20 : 0;
      if (sig != 0) {
        if ((tio.lflag & NOFLSH) == 0) this.flush();
        this.echoChar(c);
        signalToSend = sig;
        return true;
      }
    }
    if (!tio.canonical) {
      if (!this.readable.push(c)) return false;
      this.echoChar(c);
      return true;
    }
    if (c != 0 && c == tio.cc[VERASE]) {
      const gone = this.line.popLast();
      if (gone >= 0 && (tio.lflag & ECHO) != 0) {
        if ((tio.lflag & ECHOE) != 0) this.echoString("\b \b");
        else this.echoChar(c);
      }
      return true;
    }
    if (c != 0 && c == tio.cc[VKILL]) {
      while (this.line.popLast() >= 0) if ((tio.lflag & (ECHO | ECHOKE)) == (ECHO | ECHOKE)) this.echoString("\b \b");
      if ((tio.lflag & ECHOK) != 0 && (tio.lflag & ECHOKE) == 0) this.output(10, this.echoTo);
      return true;
    }
    if (c != 0 && c == tio.cc[VEOF]) return this.endLine(false);
    if (c == 10 || (c != 0 && (c == tio.cc[VEOL] || c == tio.cc[VEOL2]))) {
      // The line ends, with its newline: it needs room for all of it.
      if (this.readable.room < this.line.len + 1) return false;
      this.line.push(c);
      if ((tio.lflag & ECHO) != 0 || (c == 10 && (tio.lflag & ECHONL) != 0)) this.output(c, this.echoTo);
      return this.endLine(true);
    }
    if (this.line.room == 0) return true; // a full line drops what comes (n_tty does too)
    this.line.push(c);
    this.echoChar(c);
    return true;
  }

  /** Moves the edited line to the reader; an EOF (withByte false) ends it without a byte. */
  private endLine(withByte: bool): bool {
    if (this.readable.room < this.line.len) return false;
    while (this.line.len > 0) this.readable.push(this.line.shift());
    this.lineEnds.push(this.readable.len);
    return true;
  }

  /** Drops the input not yet read (a signal character without NOFLSH, TCFLSH). */
  flush(): void {
    this.readable.clear();
    this.line.clear();
    this.lineEnds.length = 0;
  }

  /** How many bytes a read may take now: in canonical mode up to the end of the first line
   *  (0 with a line ended by EOF: the read returns 0), else all; -1 when nothing is there. */
  available(): i32 {
    if (!this.termios.canonical) return this.readable.len > 0 ? this.readable.len : -1;
    return this.lineEnds.length > 0 ? this.lineEnds[0] : -1;
  }

  /** Takes n bytes off the reader's queue (n as available() allowed); an exhausted line is
   *  done. */
  take(n: i32, dst: usize): void {
    for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, this.readable.shift());
    if (!this.termios.canonical) return;
    for (let i = 0; i < this.lineEnds.length; i++) this.lineEnds[i] -= n;
    if (this.lineEnds.length > 0 && this.lineEnds[0] == 0) this.lineEnds.shift();
  }

  /** Leaving canonical mode makes the edited line readable (n_tty_set_termios()). */
  settingsChanged(wasCanonical: bool): void {
    if (wasCanonical && !this.termios.canonical) {
      while (this.line.len > 0 && this.readable.push(this.line.shift())) {}
      this.lineEnds.length = 0;
    }
  }

  private echoChar(c: u8): void {
    const lflag = this.termios.lflag;
    if ((lflag & ECHO) == 0) return;
    if ((lflag & ECHOCTL) != 0 && c < 32 && c != 9 && c != 10) {
      this.echoTo.push(0x5e); // ^X
      this.echoTo.push(c + 64);
    } else {
      // Echo is output: a newline becomes CR-NL under ONLCR (echo_char(), do_output_char()).
      this.output(c, this.echoTo);
    }
  }

  private echoString(s: string): void {
    for (let i = 0; i < s.length; i++) this.echoTo.push(<u8>s.charCodeAt(i));
  }

  /** Puts one output byte (a write to the slave) into q, with output processing. Returns
   *  false when q has no room for it. */
  output(c: u8, q: ByteQueue): bool {
    const tio = this.termios;
    if (c == 10 && (tio.oflag & (OPOST | ONLCR)) == (OPOST | ONLCR)) {
      if (q.room < 2) return false;
      q.push(13);
      q.push(10);
      return true;
    }
    return q.push(c);
  }
}

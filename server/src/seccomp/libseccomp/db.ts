/**
 * libseccomp's per-ABI rule database, ported from src/db.c (v2.5.4, with the v2.6.1 fix noted
 * inline): rules become argument-comparison trees per syscall, merged and pruned the way
 * db_rule_add() does it, because the merged tree shape and node counts decide the emitted BPF.
 */

/** enum scmp_compare (include/seccomp.h); the numeric values do not matter, only the identity. */
export const enum Cmp {
  NE = 1,
  LT = 2,
  LE = 3,
  EQ = 4,
  GE = 5,
  GT = 6,
  MASKED_EQ = 7,
}

/** ARG_MASK_MAX (db.h): the full 32-bit mask, i.e. "no mask". */
export const MASK_MAX = 0xffffffff;
const DATUM_MAX = 0xffffffffffffffffn;
const ARG_COUNT_MAX = 6;

// Priority layout (db.c): low 16 bits rank by chain size, bits 16..23 hold user hints (unused here).
const PRI_MASK_CHAIN = 0x0000ffff;

// _DB_IST_* flags for the prune walk (struct db_iter_state).
const IST_MATCH = 0x01;
const IST_MATCH_ONCE = 0x02;
const IST_X_FINISHED = 0x10;
const IST_N_FINISHED = 0x20;
const IST_X_PREFIX = 0x100;
const IST_N_PREFIX = 0x200;
const IST_M_MATCHSET = IST_MATCH | IST_MATCH_ONCE;
const IST_M_REDUNDANT = IST_MATCH | IST_X_FINISHED | IST_N_PREFIX;

/** errno values libseccomp reports (negated there; positive here). */
export const EINVAL = 22;
export const EDOM = 33;
export const EEXIST = 17;
export const EACCES = 13;
export const EFAULT = 14;
export const EOPNOTSUPP = 95;

/** One comparison as db_col_rule_add() stores it (struct db_api_arg): mask already split from datum. */
export interface ApiArg {
  readonly arg: number;
  readonly op: Cmp;
  readonly mask: bigint;
  readonly datum: bigint;
}

/** A rule after syscall translation for one ABI (struct db_api_rule_list, minus list links). */
export interface ApiRule {
  readonly action: number;
  readonly syscall: number;
  readonly strict: boolean;
  /** Indexed by argument number, as db_col_rule_add() files them (so a0 always comes first). */
  readonly args: readonly (ApiArg | undefined)[];
}

/**
 * One node of an argument-comparison tree (struct db_arg_chain_tree). A node compares one 32-bit
 * half of one argument; nodes on a level are alternatives (tried in order), nxtT/nxtF continue on
 * the true/false outcome, actT/actF end there with an action. refcnt mirrors libseccomp's reference
 * counting because the counts of freed nodes feed the syscall priority.
 */
export class ChainNode {
  arg = 0;
  hi = false;
  offset = 0;
  op: Cmp = Cmp.EQ;
  opOrig: Cmp = Cmp.EQ;
  mask = 0;
  datum = 0;
  datumFull = 0n;
  actTFlg = false;
  actFFlg = false;
  actT = 0;
  actF = 0;
  lvlPrv: ChainNode | null = null;
  lvlNxt: ChainNode | null = null;
  nxtT: ChainNode | null = null;
  nxtF: ChainNode | null = null;
  refcnt = 0;
}

/** A syscall's entry in the database (struct db_sys_list). */
export interface SysEntry {
  /** Signed syscall number; libseccomp keeps it as unsigned int, so negative (pseudo) numbers sort last. */
  num: number;
  /** Higher first in linear filters; u32 like libseccomp's. */
  priority: number;
  chains: ChainNode | null;
  nodeCnt: number;
  action: number;
  valid: boolean;
}

/** Per-ABI facts the database and generator need (struct arch_def). */
export interface ArchDef {
  /** SCMP_ARCH_* (distinguishes x32 from x86-64). */
  readonly token: number;
  /** AUDIT_ARCH_* compared against seccomp_data.arch. */
  readonly tokenBpf: number;
  readonly size: 32 | 64;
  readonly endian: 'little' | 'big';
}

export const SCMP_ARCH_X86_64 = 0xc000003e;
export const SCMP_ARCH_X32 = 0x4000003e;

/** A filter database for one ABI (struct db_filter); syscalls keyed by signed number. */
export class FilterDb {
  readonly syscalls = new Map<number, SysEntry>();
  constructor(readonly arch: ArchDef) {}
}

/** libseccomp library behaviours that differ between releases and change the resulting tree. */
export interface DbQuirks {
  /**
   * v2.6.1 (commit 700b140 "db: fix a copy-n-paste typo in _db_tree_add()"): when two equal
   * high-word nodes carry different false actions, v2.5.4/v2.6.0 overwrite the *true* action
   * (act_t) instead of act_f.
   */
  readonly treeAddActFFix: boolean;
}

// ------------------------------------------------------------------------------------------
// Node ordering (db.c __db_chain_arg_priority, __db_chain_op_priority, _db_chain_lt/_eq)

function argPriority(n: ChainNode): number {
  return (n.arg << 1) + (n.hi ? 1 : 0);
}

function opPriority(op: Cmp): number {
  switch (op) {
    case Cmp.MASKED_EQ:
    case Cmp.EQ:
    case Cmp.NE:
      return 3;
    case Cmp.LE:
    case Cmp.LT:
      return 2;
    case Cmp.GE:
    case Cmp.GT:
      return 1;
    default:
      return 0;
  }
}

function chainLt(a: ChainNode, b: ChainNode): boolean {
  const aa = argPriority(a);
  const ba = argPriority(b);
  if (aa !== ba) return aa < ba;
  const ao = opPriority(a.opOrig);
  const bo = opPriority(b.opOrig);
  if (ao !== bo) return ao < bo;
  // Same argument and operator class: LT/LE order larger datums first, everything else smaller first.
  if (a.opOrig === Cmp.LE || a.opOrig === Cmp.LT) return a.datum > b.datum;
  return a.datum < b.datum;
}

function chainEq(a: ChainNode, b: ChainNode): boolean {
  return argPriority(a) === argPriority(b) && a.op === b.op && a.datum === b.datum && a.mask === b.mask;
}

const isLeaf = (n: ChainNode): boolean => n.nxtT === null && n.nxtF === null;
const isZombie = (n: ChainNode): boolean => isLeaf(n) && !n.actTFlg && !n.actFFlg;

function nodeGet(n: ChainNode | null): ChainNode | null {
  if (n !== null) n.refcnt++;
  return n;
}

// ------------------------------------------------------------------------------------------
// Reference dropping. libseccomp passes `struct db_arg_chain_tree **` and rewrites the caller's
// pointer; here the functions return the freed-node count and leave the rewritten pointer in
// `ptrOut`, which each caller reads immediately.

let ptrOut: ChainNode | null = null;

/** _db_node_put(): drop one reference; on the last one unlink the node and release its subtrees. */
function nodePut(node: ChainNode | null): number {
  let cnt = 0;
  const n = node;
  if (n === null) {
    ptrOut = null;
    return 0;
  }
  let out: ChainNode | null = n;
  if (--n.refcnt === 0) {
    let lvlP = n.lvlPrv;
    let lvlN = n.lvlNxt;
    const nxtT = n.nxtT;
    const nxtF = n.nxtF;
    // split the level; the neighbours keep their references to us until dropped below
    if (lvlP) lvlP.lvlNxt = null;
    if (lvlN) lvlN.lvlPrv = null;
    if (lvlP) {
      cnt += nodePut(lvlP);
      lvlP = ptrOut;
    }
    if (lvlN) {
      cnt += nodePut(lvlN);
      lvlN = ptrOut;
    }
    if (lvlP) lvlP.lvlNxt = nodeGet(lvlN);
    if (lvlN) lvlN.lvlPrv = nodeGet(lvlP);
    out = lvlP ?? lvlN ?? null;
    cnt += treePut(nxtT);
    cnt += treePut(nxtF);
    cnt++;
  }
  ptrOut = out;
  return cnt;
}

/** _db_level_clean(): free a whole level when nothing but the level's own links refers to it. */
function levelClean(node: ChainNode): number {
  let cnt = 0;
  let n: ChainNode | null = levelHead(node);
  const start = n;
  while (n !== null) {
    let links = 0;
    if (n.lvlPrv) links++;
    if (n.lvlNxt) links++;
    if (n.refcnt > links) return cnt;
    n = n.lvlNxt;
  }
  n = start;
  while (n !== null) {
    cnt += nodePut(n);
    n = ptrOut;
  }
  return cnt;
}

/** _db_tree_put(): drop the tree reference and garbage-collect its top level; `ptrOut` = new head. */
function treePut(tree: ChainNode | null): number {
  let cnt = nodePut(tree);
  const t = ptrOut;
  if (t) cnt += levelClean(t);
  ptrOut = t;
  return cnt;
}

/** A pointer slot (`struct db_arg_chain_tree **`) for the functions that rewrite their caller's pointer. */
interface Slot {
  v: ChainNode | null;
}

/** _db_tree_remove(): find `node` in the tree (or a zombie on the way), unlink and release it. */
function treeRemove(tree: Slot, node: ChainNode): number {
  let cnt = 0;
  if (tree.v === null) return 0;
  let c: ChainNode | null = levelHead(tree.v);
  let found = false;
  do {
    if (c === node) {
      found = true;
      break;
    }
    const st: Slot = { v: c.nxtT };
    cnt += treeRemove(st, node);
    c.nxtT = st.v;
    const sf: Slot = { v: c.nxtF };
    cnt += treeRemove(sf, node);
    c.nxtF = sf.v;
    if (isZombie(c)) {
      found = true;
      break;
    }
    c = c.lvlNxt;
  } while (c !== null && cnt === 0);
  if (!found || c === null) return cnt;

  if (c === tree.v) tree.v = c.lvlPrv !== null ? c.lvlPrv : c.lvlNxt;
  if (c.lvlPrv) c.lvlPrv.lvlNxt = c.lvlNxt;
  if (c.lvlNxt) c.lvlNxt.lvlPrv = c.lvlPrv;
  c.lvlPrv = null;
  c.lvlNxt = null;
  cnt += nodePut(c);
  return cnt;
}

/** _db_tree_act_check(): 0 if every action on the node's level and below equals `action`, else -EEXIST. */
function treeActCheck(tree: ChainNode | null, action: number): number {
  if (tree === null) return 0;
  let c: ChainNode | null = levelHead(tree);
  do {
    if (c.actTFlg && c.actT !== action) return -EEXIST;
    if (c.actFFlg && c.actF !== action) return -EEXIST;
    let rc = treeActCheck(c.nxtT, action);
    if (rc < 0) return rc;
    rc = treeActCheck(c.nxtF, action);
    if (rc < 0) return rc;
    c = c.lvlNxt;
  } while (c !== null);
  return 0;
}

interface IterState {
  flags: number;
  action: number;
  sx: SysEntry;
}

/**
 * _db_tree_prune(): walk the existing tree against the new single-branch tree, removing existing
 * sub-trees the new rule makes redundant and flagging when the new rule is itself redundant.
 * Returns the number of nodes freed.
 */
function treePrune(existing: ChainNode | null, nw: ChainNode | null, state: IterState): number {
  let cnt = 0;
  const stNew: IterState = { flags: state.flags, action: state.action, sx: state.sx };
  let x: ChainNode | null = existing;
  const n = nw;

  const finish = (): number => {
    if (stNew.flags & IST_MATCH) state.flags |= stNew.flags;
    else state.flags &= ~IST_MATCH;
    return cnt;
  };

  if (n === null || x === null) return finish();
  if ((state.flags & IST_M_MATCHSET) === IST_MATCH_ONCE) return finish();

  x = levelHead(x);

  // Recurse with a copy of the *incoming* state (C: state_nxt = *state) and fold a match back
  // into this level's result; the extra reference keeps xNode alive across the recursion.
  const descend = (
    xNode: ChainNode,
    xSub: ChainNode | null,
    nSub: ChainNode | null,
    set: number,
    clear: number,
  ): { x: ChainNode | null; matched: boolean } => {
    nodeGet(xNode);
    const sn: IterState = { flags: (state.flags & ~clear) | set, action: state.action, sx: state.sx };
    cnt += treePrune(xSub, nSub, sn);
    cnt += nodePut(xNode);
    const xo = ptrOut;
    const matched = (sn.flags & IST_MATCH) !== 0;
    if (matched) stNew.flags |= sn.flags;
    return { x: xo, matched };
  };

  do {
    const xNext: ChainNode | null = x.lvlNxt;
    let skipToNext = false;
    if (chainEq(x, n)) {
      stNew.flags |= IST_M_MATCHSET;
      if (isLeaf(n)) stNew.flags |= IST_N_FINISHED;
      if (isLeaf(x)) stNew.flags |= IST_X_FINISHED;
      // keep the existing node if it has more actions/levels than the new one
      if ((x.actTFlg || x.nxtT) && !(n.actTFlg || n.nxtT)) return finish();
      if ((x.actFFlg || x.nxtF) && !(n.actFFlg || n.nxtF)) return finish();
      if (stNew.flags & IST_N_FINISHED && stNew.flags & IST_X_FINISHED) {
        if (n.actTFlg !== x.actTFlg || n.actT !== x.actT) return finish();
        if (n.actFFlg !== x.actFFlg || n.actF !== x.actF) return finish();
      }
      if (n.nxtT) {
        const xx: ChainNode = x;
        const r = descend(xx, xx.nxtT, n.nxtT, IST_M_MATCHSET, 0);
        x = r.x;
        if (x === null) skipToNext = true;
      }
      if (!skipToNext && n.nxtF) {
        const xx: ChainNode = x!;
        const r = descend(xx, xx.nxtF, n.nxtF, IST_M_MATCHSET, 0);
        x = r.x;
        if (x === null) skipToNext = true;
      }
      if (!skipToNext) {
        const xx: ChainNode = x!;
        if (!treeActCheck(xx, stNew.action) && stNew.flags & IST_MATCH && stNew.flags & IST_N_FINISHED && stNew.flags & IST_X_PREFIX) {
          // the new tree is "shorter": drop the existing branch
          const slot: Slot = { v: state.sx.chains };
          cnt += treeRemove(slot, xx);
          state.sx.chains = slot.v;
          if (state.sx.chains === null) return finish();
        } else if (!treeActCheck(xx, stNew.action) && stNew.flags & IST_MATCH && stNew.flags & IST_X_FINISHED && stNew.flags & IST_N_PREFIX) {
          // the new tree is "longer"
          return finish();
        }
      }
    } else if (chainLt(x, n)) {
      if (state.flags & IST_N_PREFIX) return finish();
      if (x.nxtT) {
        const xx: ChainNode = x;
        const r = descend(xx, xx.nxtT, n, IST_X_PREFIX, IST_MATCH);
        if (r.matched) return finish();
        x = r.x;
        if (x === null) skipToNext = true;
      }
      if (!skipToNext && x!.nxtF) {
        const xx: ChainNode = x!;
        const r = descend(xx, xx.nxtF, n, IST_X_PREFIX, IST_MATCH);
        if (r.matched) return finish();
        x = r.x;
        if (x === null) skipToNext = true;
      }
    } else {
      if (state.flags & IST_X_PREFIX) return finish();
      if (n.nxtT) {
        const xx: ChainNode = x;
        const r = descend(xx, xx, n.nxtT, IST_N_PREFIX, IST_MATCH);
        if (r.matched) return finish();
        x = r.x;
        if (x === null) skipToNext = true;
      }
      if (!skipToNext && n.nxtF) {
        const xx: ChainNode = x!;
        const r = descend(xx, xx, n.nxtF, IST_N_PREFIX, IST_MATCH);
        if (r.matched) return finish();
        x = r.x;
        if (x === null) skipToNext = true;
      }
    }
    x = xNext;
  } while (x);

  // falling through: nothing on this level matched
  stNew.flags &= ~IST_MATCH;
  return finish();
}

/** _db_tree_add(): merge the new single-branch tree into the existing one. 0 or a negative errno. */
function treeAdd(existing: Slot, nw: ChainNode, state: { sx: SysEntry }, q: DbQuirks): number {
  let x: ChainNode | null = existing.v;
  const n = nw;
  do {
    if (chainEq(x!, n)) {
      const xx: ChainNode = x!;
      if (n.actTFlg) {
        if (!xx.actTFlg) {
          const rc = treeActCheck(xx.nxtT, n.actT);
          if (rc !== 0) return rc;
          const freed = nodePut(xx.nxtT);
          xx.nxtT = null;
          xx.actT = n.actT;
          xx.actTFlg = true;
          state.sx.nodeCnt = (state.sx.nodeCnt - freed) >>> 0;
        } else if (n.actT !== xx.actT) {
          // 64-bit GT/GE: the larger full datum decides the true action
          if (n.hi && n.datumFull > xx.datumFull) xx.actT = n.actT;
          if (isLeaf(xx) || isLeaf(n)) return -EEXIST;
        }
      }
      if (n.actFFlg) {
        if (!xx.actFFlg) {
          const rc = treeActCheck(xx.nxtF, n.actF);
          if (rc !== 0) return rc;
          const freed = nodePut(xx.nxtF);
          xx.nxtF = null;
          xx.actF = n.actF;
          xx.actFFlg = true;
          state.sx.nodeCnt = (state.sx.nodeCnt - freed) >>> 0;
        } else if (n.actF !== xx.actF) {
          // 64-bit LT/LE: the smaller full datum decides the false action. libseccomp before
          // v2.6.1 assigns act_t here (copy-and-paste slip), which changes the emitted program.
          if (n.hi && n.datumFull < xx.datumFull) {
            if (q.treeAddActFFix) xx.actF = n.actF;
            else xx.actT = n.actT;
          }
          if (isLeaf(xx) || isLeaf(n)) return -EEXIST;
        }
      }
      if (n.nxtT) {
        if (xx.nxtT) {
          const s: Slot = { v: xx.nxtT };
          const rc = treeAdd(s, n.nxtT, state, q);
          xx.nxtT = s.v;
          if (rc !== 0) return rc;
        } else if (!xx.actTFlg) {
          xx.nxtT = nodeGet(n.nxtT);
        } else return 0; // the existing tree is "shorter"
      }
      if (n.nxtF) {
        if (xx.nxtF) {
          const s: Slot = { v: xx.nxtF };
          const rc = treeAdd(s, n.nxtF, state, q);
          xx.nxtF = s.v;
          if (rc !== 0) return rc;
        } else if (!xx.actFFlg) {
          xx.nxtF = nodeGet(n.nxtF);
        } else return 0;
      }
      return 0;
    } else if (!chainLt(x!, n)) {
      const xx: ChainNode = x!;
      if (xx.lvlNxt === null) {
        // append to the end of this level
        n.lvlPrv = nodeGet(xx);
        xx.lvlNxt = nodeGet(n);
        return 0;
      }
      x = xx.lvlNxt;
    } else {
      // insert before the existing node on this level
      const xx: ChainNode = x!;
      if (xx.lvlPrv !== null) {
        xx.lvlPrv.lvlNxt = nodeGet(n);
        n.lvlPrv = xx.lvlPrv;
        xx.lvlPrv = nodeGet(n);
        n.lvlNxt = xx;
      } else {
        xx.lvlPrv = nodeGet(n);
        n.lvlNxt = nodeGet(xx);
      }
      if (existing.v === xx) {
        existing.v = nodeGet(n);
        nodePut(xx);
      }
      return 0;
    }
  } while (x);
  return 0;
}

/**
 * The first node of `node`'s level (libseccomp walks `lvl_prv` back to the start). Throws
 * LibseccompLoopError where libseccomp would walk forever: a node linked to itself.
 */
export function levelHead(node: ChainNode): ChainNode {
  let n = node;
  while (n.lvlPrv !== null) {
    if (n.lvlPrv === n) throw new LibseccompLoopError();
    n = n.lvlPrv;
  }
  return n;
}

/**
 * libseccomp (2.5.4 up to 2.6.1 at least) never returns from seccomp_rule_add() for some pairs of
 * rules on one syscall of a 64-bit ABI, e.g. `a0 != 5 && a1 == 5` then `a0 != 5 && a2 == 5`: a
 * `!=` or range comparison reaches the next argument's level through two nodes that share one
 * child, _db_tree_add() inserts that child into the existing level once per path, the second
 * time from a stale pointer, and the node ends up linked to itself; the next walk of the level
 * never ends. This port builds the same tree, and levelHead() throws where that walk would spin:
 * a program libseccomp cannot produce is an error here, never a hang. systemd never adds such rules (it
 * compares one argument, or uses == / masked == before the last one).
 */
export class LibseccompLoopError extends Error {
  constructor() {
    super('libseccomp would never return for these rules: merging them links a node of the rule tree to itself (_db_tree_add)');
    this.name = 'LibseccompLoopError';
  }
}

// ------------------------------------------------------------------------------------------
// Rule → single-branch tree (db.c _db_rule_gen_64 / _db_rule_gen_32)

const lo32 = (v: bigint): number => Number(v & 0xffffffffn);
const hi32 = (v: bigint): number => Number((v >> 32n) & 0xffffffffn);

/** Offsets of an argument's 32-bit halves in struct seccomp_data (arch.c arch_arg_offset_lo/_hi). */
function argOffsetLo(arch: ArchDef, arg: number): number {
  const base = 16 + 8 * arg;
  return arch.endian === 'little' ? base : base + 4;
}
function argOffsetHi(arch: ArchDef, arg: number): number {
  const base = 16 + 8 * arg;
  return arch.endian === 'little' ? base + 4 : base;
}

function needLo(a: ApiArg): boolean {
  return !(a.op === Cmp.MASKED_EQ && lo32(a.mask) === 0);
}
function needHi(a: ApiArg): boolean {
  return !(a.op === Cmp.MASKED_EQ && hi32(a.mask) === 0);
}

function newSys(rule: ApiRule): SysEntry {
  return { num: rule.syscall, priority: 0, chains: null, nodeCnt: 0, action: 0, valid: true };
}

/**
 * 64-bit ABIs compare each argument as high word then low word: EQ/NE/MASKED_EQ become two
 * nodes, GT/GE/LT/LE three (hi >, hi ==, lo), linked so that the rule's action sits where the
 * whole 64-bit comparison holds (see the diagrams in db.c).
 */
function ruleGen64(arch: ArchDef, rule: ApiRule): SysEntry {
  const s = newSys(rule);
  let c0: ChainNode | null = null;
  let c1: ChainNode | null = null;
  let c2: ChainNode | null = null;
  let p0: ChainNode | null = null;
  let p1: ChainNode | null = null;
  let p2: ChainNode | null = null;
  let opPrev: Cmp = 0 as Cmp;
  for (let i = 0; i < ARG_COUNT_MAX; i++) {
    const a = rule.args[i];
    if (a === undefined) continue;
    if (!needHi(a) && !needLo(a)) continue;
    c0 = new ChainNode();
    c1 = new ChainNode();
    c2 = null;
    const mask = a.mask;
    const datum = a.datum;
    switch (a.op) {
      case Cmp.GT:
      case Cmp.GE:
      case Cmp.LE:
      case Cmp.LT:
        c2 = new ChainNode();
        c0.arg = c1.arg = c2.arg = a.arg;
        c0.hi = true;
        c1.hi = true;
        c2.hi = false;
        c0.offset = c1.offset = argOffsetHi(arch, a.arg);
        c2.offset = argOffsetLo(arch, a.arg);
        c0.mask = c1.mask = hi32(mask);
        c2.mask = lo32(mask);
        c0.datum = (hi32(datum) & c0.mask) >>> 0;
        c1.datum = (hi32(datum) & c1.mask) >>> 0;
        c2.datum = (lo32(datum) & c2.mask) >>> 0;
        c0.datumFull = c1.datumFull = c2.datumFull = datum;
        c0.op = Cmp.GT;
        c1.op = Cmp.EQ;
        c2.op = a.op === Cmp.GT || a.op === Cmp.LE ? Cmp.GT : Cmp.GE;
        c0.opOrig = c1.opOrig = c2.opOrig = a.op;
        c0.nxtF = nodeGet(c1);
        c1.nxtT = nodeGet(c2);
        break;
      default: // EQ, MASKED_EQ, NE
        c0.arg = c1.arg = a.arg;
        c0.hi = true;
        c1.hi = false;
        c0.offset = argOffsetHi(arch, a.arg);
        c1.offset = argOffsetLo(arch, a.arg);
        c0.mask = hi32(mask);
        c1.mask = lo32(mask);
        c0.datum = (hi32(datum) & c0.mask) >>> 0;
        c1.datum = (lo32(datum) & c1.mask) >>> 0;
        c0.datumFull = c1.datumFull = datum;
        c0.op = c1.op = a.op === Cmp.MASKED_EQ ? Cmp.MASKED_EQ : Cmp.EQ;
        c0.opOrig = c1.opOrig = a.op;
        c0.nxtT = nodeGet(c1);
        break;
    }
    // link this level below the previous one, on the outcome(s) where the previous one held
    if (p0 !== null) {
      switch (opPrev) {
        case Cmp.GT:
        case Cmp.GE:
          p0.nxtT = nodeGet(c0);
          p2!.nxtT = nodeGet(c0);
          break;
        case Cmp.EQ:
        case Cmp.MASKED_EQ:
          p1!.nxtT = nodeGet(c0);
          break;
        case Cmp.LE:
        case Cmp.LT:
          p1!.nxtF = nodeGet(c0);
          p2!.nxtF = nodeGet(c0);
          break;
        case Cmp.NE:
          p0.nxtF = nodeGet(c0);
          p1!.nxtF = nodeGet(c0);
          break;
      }
    } else s.chains = nodeGet(c0);
    s.nodeCnt += a.op === Cmp.NE || a.op === Cmp.EQ || a.op === Cmp.MASKED_EQ ? 2 : 3;
    p0 = c0;
    p1 = c1;
    p2 = c2;
    opPrev = a.op;
  }
  if (c0 !== null) {
    switch (opPrev) {
      case Cmp.GT:
      case Cmp.GE:
        c0.actTFlg = true;
        c0.actT = rule.action;
        c2!.actTFlg = true;
        c2!.actT = rule.action;
        break;
      case Cmp.LE:
      case Cmp.LT:
        c1!.actFFlg = true;
        c1!.actF = rule.action;
        c2!.actFFlg = true;
        c2!.actF = rule.action;
        break;
      case Cmp.EQ:
      case Cmp.MASKED_EQ:
        c1!.actTFlg = true;
        c1!.actT = rule.action;
        break;
      case Cmp.NE:
        c0.actFFlg = true;
        c0.actF = rule.action;
        c1!.actFFlg = true;
        c1!.actF = rule.action;
        break;
    }
  } else s.action = rule.action;
  return s;
}

/**
 * 32-bit ABIs (x86, x32, arm, mips o32/n32…) compare only the low word, one node per argument;
 * NE/LT/LE are rewritten to EQ/GE/GT with the rule continuing on the false branch.
 */
function ruleGen32(arch: ArchDef, rule: ApiRule): SysEntry {
  const s = newSys(rule);
  let c: ChainNode | null = null;
  let prev: ChainNode | null = null;
  let tf = true;
  for (let i = 0; i < ARG_COUNT_MAX; i++) {
    const a = rule.args[i];
    if (a === undefined) continue;
    if (!needLo(a)) continue;
    c = new ChainNode();
    c.arg = a.arg;
    c.hi = false;
    c.offset = argOffsetLo(arch, a.arg);
    c.op = a.op;
    c.opOrig = a.op;
    c.mask = lo32(a.mask); // the upper 32 bits are dropped
    c.datum = lo32(a.datum);
    c.datumFull = a.datum;
    if (prev !== null) {
      if (tf) prev.nxtT = nodeGet(c);
      else prev.nxtF = nodeGet(c);
    } else s.chains = nodeGet(c);
    s.nodeCnt++;
    switch (c.op) {
      case Cmp.NE:
        c.op = Cmp.EQ;
        tf = false;
        break;
      case Cmp.LT:
        c.op = Cmp.GE;
        tf = false;
        break;
      case Cmp.LE:
        c.op = Cmp.GT;
        tf = false;
        break;
      default:
        tf = true;
    }
    c.datum = (c.datum & c.mask) >>> 0;
    prev = c;
  }
  if (c !== null) {
    if (tf) {
      c.actTFlg = true;
      c.actT = rule.action;
    } else {
      c.actFFlg = true;
      c.actF = rule.action;
    }
  } else s.action = rule.action;
  return s;
}

/** Unsigned 32-bit view of a syscall number, the order libseccomp keeps syscalls in. */
export const unsignedNum = (n: number): number => n >>> 0;

/**
 * db_rule_add(): merge one translated rule into the database. A plain rule (no arguments)
 * replaces any argument tree; an argument tree is first pruned against, then merged into, the
 * existing one. Returns 0 or a negative errno; on failure the entry may be half-updated, so the
 * caller restores it (libseccomp's transaction).
 */
export function dbRuleAdd(db: FilterDb, rule: ApiRule, q: DbQuirks): number {
  const sNew = db.arch.size === 64 ? ruleGen64(db.arch, rule) : ruleGen32(db.arch, rule);
  sNew.priority = (PRI_MASK_CHAIN - sNew.nodeCnt) >>> 0;
  const sIter = db.syscalls.get(rule.syscall);
  let rmFlag = false;
  let rc = 0;

  const updatePriority = (s: SysEntry): void => {
    s.priority = ((s.priority & ~PRI_MASK_CHAIN) | ((PRI_MASK_CHAIN - s.nodeCnt) & 0xffffffff)) >>> 0;
  };

  if (sIter === undefined) {
    db.syscalls.set(rule.syscall, sNew);
    return 0;
  }
  for (;;) {
    if (sIter.chains === null) {
      if (rmFlag || !sIter.valid) {
        // our prune emptied the tree (or the entry is a phantom): take the new chain
        sIter.chains = sNew.chains;
        sIter.action = sNew.action;
        sIter.nodeCnt = sNew.nodeCnt;
        if (sIter.valid) sIter.priority = sNew.priority;
        sIter.valid = true;
        updatePriority(sIter);
        return 0;
      }
      // the syscall is already matched without conditions: the new rule adds nothing
      treePut(sNew.chains);
      updatePriority(sIter);
      return 0;
    }
    if (sNew.chains === null) {
      // an unconditional rule replaces the existing argument tree
      treePut(sIter.chains);
      sIter.chains = null;
      sIter.nodeCnt = 0;
      sIter.action = rule.action;
      updatePriority(sIter);
      return 0;
    }
    const pState: IterState = { flags: 0, action: rule.action, sx: sIter };
    rc = treePrune(sIter.chains, sNew.chains, pState);
    if (rc > 0) {
      rmFlag = true;
      sIter.nodeCnt = (sIter.nodeCnt - rc) >>> 0;
      if (sIter.chains === null) continue; // pruned everything: start over (add_reset)
    } else if ((pState.flags & IST_M_REDUNDANT) === IST_M_REDUNDANT) {
      // the existing tree already covers the new one
      treePut(sNew.chains);
      updatePriority(sIter);
      return 0;
    }
    break;
  }
  const slot: Slot = { v: sIter.chains };
  rc = treeAdd(slot, sNew.chains!, { sx: sIter }, q);
  sIter.chains = slot.v;
  if (rc < 0) {
    treePut(sNew.chains);
    return rc;
  }
  sIter.nodeCnt = (sIter.nodeCnt + sNew.nodeCnt) >>> 0;
  sIter.nodeCnt = (sIter.nodeCnt - treePut(sNew.chains)) >>> 0;
  updatePriority(sIter);
  return 0;
}

/** Deep copy of a syscall entry (its tree is a DAG with level links), for transaction rollback. */
export function cloneSysEntry(s: SysEntry): SysEntry {
  const map = new Map<ChainNode, ChainNode>();
  const stack: ChainNode[] = [];
  const cp = (n: ChainNode | null): ChainNode | null => {
    if (n === null) return null;
    let c = map.get(n);
    if (c === undefined) {
      c = new ChainNode();
      map.set(n, c);
      stack.push(n);
    }
    return c;
  };
  const chains = cp(s.chains);
  while (stack.length > 0) {
    const n = stack.pop()!;
    const c = map.get(n)!;
    c.arg = n.arg;
    c.hi = n.hi;
    c.offset = n.offset;
    c.op = n.op;
    c.opOrig = n.opOrig;
    c.mask = n.mask;
    c.datum = n.datum;
    c.datumFull = n.datumFull;
    c.actTFlg = n.actTFlg;
    c.actFFlg = n.actFFlg;
    c.actT = n.actT;
    c.actF = n.actF;
    c.refcnt = n.refcnt;
    c.lvlPrv = cp(n.lvlPrv);
    c.lvlNxt = cp(n.lvlNxt);
    c.nxtT = cp(n.nxtT);
    c.nxtF = cp(n.nxtF);
  }
  return { num: s.num, priority: s.priority, chains, nodeCnt: s.nodeCnt, action: s.action, valid: s.valid };
}

/**
 * db_col_rule_add()'s argument filing: comparisons are stored by argument number (so their order
 * in the call does not matter), a repeated or out-of-range argument number is -EINVAL, and
 * MASKED_EQ takes its mask from datum_a and its value from datum_b.
 */
export function fileArgs(args: readonly { arg: number; op: Cmp; datumA: bigint; datumB: bigint }[]): (ApiArg | undefined)[] | number {
  const out: (ApiArg | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  for (const a of args) {
    if (!(a.arg >= 0 && a.arg < ARG_COUNT_MAX) || !Number.isInteger(a.arg) || out[a.arg] !== undefined) return -EINVAL;
    const da = BigInt.asUintN(64, a.datumA);
    const db = BigInt.asUintN(64, a.datumB);
    out[a.arg] = a.op === Cmp.MASKED_EQ ? { arg: a.arg, op: a.op, mask: da, datum: db } : { arg: a.arg, op: a.op, mask: DATUM_MAX, datum: da };
  }
  return out;
}

// The page cache of files that never change (the Gofer's read-only tree): a memory object per
// file (file.pageCache()) that read-only private mappings share, the libraries and programs
// of every process, filled from the file the first time a page is mapped.
import { PAGE_SIZE } from "../abi/linux";
import { ENOMEM } from "../abi/errno";
import { memoryFile } from "../kernel/globals";
import { MemObject } from "../mm/mem_object";
import { allocPages, MM } from "../mm/mm";
import { FileDescription } from "./file";

/** Reads the pages [first, first+count) of file that lie within it and that the cache lacks
 *  into it, each run of missing pages with one read. Returns 0 or -errno (pages that could
 *  not be filled are not kept). */
export function fillCache(cache: MemObject, file: FileDescription, first: u64, count: u64): i32 {
  const limit = cache.pageLimit < first + count ? cache.pageLimit : first + count;
  let idx = first;
  while (idx < limit) {
    if (cache.page(idx) >= 0) {
      idx++;
      continue;
    }
    let end = idx + 1;
    while (end < limit && cache.page(end) < 0) end++;
    const len = (end - idx) * PAGE_SIZE;
    const off = allocPages(len);
    if (off < 0) return -ENOMEM;
    for (let done: u64 = 0; done < len; ) {
      const want = len - done < 0x40000000 ? len - done : 0x40000000;
      const got = file.readToMf(<u64>off + done, <i32>want, <i64>(idx * PAGE_SIZE + done));
      if (got < 0) {
        memoryFile.free(<u64>off, len);
        return got;
      }
      if (got == 0) break;
      done += <u64>got;
    }
    cache.adopt(idx, end - idx, <u64>off);
    idx = end;
  }
  return 0;
}

/** Whether the last mapCached failed in filling the cache (else in mapping it). */
export let fillFailed = false;

/** Fills the pages of cache that [at, at+len) will show, from page pgoff on, and maps them
 *  there (MM.mapShared). The cache is pinned from the fill until the mapping holds it: an
 *  allocation in between (of a later run of pages, or of a hole's page) must not reclaim
 *  it. Returns 0 or -errno (fillFailed says which step failed). */
export function mapCached(mm: MM, cache: MemObject, file: FileDescription, at: u64, len: u64, prot: i32, flags: i32, pgoff: u64, kind: i32): i32 {
  cache.busy++;
  let r = fillCache(cache, file, pgoff, len / PAGE_SIZE);
  fillFailed = r < 0;
  if (r == 0) r = mm.mapShared(at, len, prot, flags, cache, pgoff, kind);
  cache.busy--;
  return r;
}

// Array helpers that AssemblyScript's standard library lacks.

/** Inserts v at index i, shifting the rest up (AssemblyScript's splice cannot insert). */
export function insertAt<T>(a: T[], i: i32, v: T): void {
  a.push(v);
  for (let j = a.length - 1; j > i; j--) unchecked(a[j] = a[j - 1]);
  unchecked(a[i] = v);
}

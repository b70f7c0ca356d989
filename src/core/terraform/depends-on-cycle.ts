/**
 * The depends_on graph of atlantis.yaml's projects must be acyclic (Atlantis refuses a cycle
 * too): a cycle would leave every run of it waiting for another. Pure.
 */

/** Indices along a depends_on cycle (first = last), or null. */
export function findCycle(projects: readonly { dependsOn: readonly string[] }[], byName: Map<string, number>): number[] | null {
  const done = new Set<number>();
  const stack: number[] = [];
  const visit = (i: number): number[] | null => {
    if (done.has(i)) return null;
    if (stack.includes(i)) return [...stack.slice(stack.indexOf(i)), i];
    stack.push(i);
    for (const dep of projects[i].dependsOn) {
      const found = visit(byName.get(dep)!);
      if (found) return found;
    }
    stack.pop();
    done.add(i);
    return null;
  };
  for (let i = 0; i < projects.length; i++) {
    const cycle = visit(i);
    if (cycle) return cycle;
  }
  return null;
}

// The report's process tree: a binary tree of processes that maps integer
// indexes to channels, because a process may hold any number of channels
// only by spreading them over other processes. Each node holds at most one
// channel (in a Maybe) and up to two children (channels to other nodes).
// Run: mpl run examples/process_tree.mpl
//
// The program below uses the tree as a table of running jobs: it starts a
// worker per number, stores the channel to each worker under that number,
// then takes the results out in index order.

protocol GMaybe<#p, #then> = get GJust: get #p, #then
                           | get GNothing: #then;

protocol ProcessTree<#p> =
    put PutProc: put Int, put #p, GMaybe<#p, loop>     // store; the old channel comes back, if any
  | put TakeProc: put Int, GMaybe<#p, loop>            // remove the channel at an index
  | put PeekMinOrClose: ( get MinAt: get Int, loop     // lowest index in use ...
                        | get Empty: close )           // ... or, when empty, the tree shuts down
  | put GetProcCount: get Int, loop;

data Peek<#p> = Gone | Min(Int, ProcessTree<#p>);

process emptyProcessTree(neg<ProcessTree<#p>> user) {
  processTree(user, Nothing, Nothing, Nothing, 0);
}

// Index 0 lives in this node; index i > 0 lives in childE (i - 1 even) or
// childO (i - 1 odd) under index (i - 1) >> 1.
process processTree(neg<ProcessTree<#p>> user, Maybe<#p> item,
                    Maybe<ProcessTree<#p>> childE, Maybe<ProcessTree<#p>> childO, Int count) {
  switch (user.get) {
    case PutProc:
      let index = user.get;
      let newItem = user.get;
      if (index <= 0) {
        switch item {
          case Nothing:
            user.put(GNothing);
            processTree(user, Just(newItem), childE, childO, count + 1);
          case Just(old):
            user.put(GJust).put(old);
            processTree(user, Just(newItem), childE, childO, count);
        }
      } else if (((index - 1) & 1) == 0) {
        let (child, delta) = putChild(childE, user, (index - 1) >> 1, newItem);
        processTree(user, item, child, childO, count + delta);
      } else {
        let (child, delta) = putChild(childO, user, (index - 1) >> 1, newItem);
        processTree(user, item, childE, child, count + delta);
      }
    case TakeProc:
      let index = user.get;
      if (index <= 0) {
        switch item {
          case Nothing:
            user.put(GNothing);
            processTree(user, Nothing, childE, childO, count);
          case Just(old):
            user.put(GJust).put(old);
            processTree(user, Nothing, childE, childO, count - 1);
        }
      } else if (((index - 1) & 1) == 0) {
        let (child, delta) = takeChild(childE, user, (index - 1) >> 1);
        processTree(user, item, child, childO, count - delta);
      } else {
        let (child, delta) = takeChild(childO, user, (index - 1) >> 1);
        processTree(user, item, childE, child, count - delta);
      }
    case PeekMinOrClose:
      switch item {
        case Just(x):
          user.put(MinAt).put(0);
          processTree(user, Just(x), childE, childO, count);
        case Nothing:
          switch (peekChild(childE), peekChild(childO)) {
            case (Gone, Gone):
              user.put(Empty);
            case (Min(k, c), Gone):
              user.put(MinAt).put(2 * k + 1);
              processTree(user, Nothing, Just(c), Nothing, count);
            case (Gone, Min(k, c)):
              user.put(MinAt).put(2 * k + 2);
              processTree(user, Nothing, Nothing, Just(c), count);
            case (Min(k1, c1), Min(k2, c2)):
              user.put(MinAt).put(min(2 * k1 + 1, 2 * k2 + 2));
              processTree(user, Nothing, Just(c1), Just(c2), count);
          }
      }
    case GetProcCount:
      user.put(count);
      processTree(user, item, childE, childO, count);
  }
}

(Maybe<ProcessTree<#p>>, Int) putChild(Maybe<ProcessTree<#p>> mChild,
    neg<GMaybe<#p, ProcessTree<#p>>> user, Int index, #p newItem) {
  switch mChild {
    case Nothing:
      ProcessTree<#p> child;
      emptyProcessTree(~child);
      putInto(child, user, index, newItem)
    case Just(child):
      putInto(child, user, index, newItem)
  }
}

(Maybe<ProcessTree<#p>>, Int) putInto(ProcessTree<#p> child,
    neg<GMaybe<#p, ProcessTree<#p>>> user, Int index, #p newItem) {
  child.put(PutProc).put(index).put(newItem);
  switch (child.get) {
    case GNothing:
      user.put(GNothing);
      (Just(child), 1)
    case GJust:
      user.put(GJust).put(child.get);
      (Just(child), 0)
  }
}

(Maybe<ProcessTree<#p>>, Int) takeChild(Maybe<ProcessTree<#p>> mChild,
    neg<GMaybe<#p, ProcessTree<#p>>> user, Int index) {
  switch mChild {
    case Nothing:
      user.put(GNothing);
      (Nothing, 0)
    case Just(child):
      child.put(TakeProc).put(index);
      switch (child.get) {
        case GNothing:
          user.put(GNothing);
          (Just(child), 0)
        case GJust:
          user.put(GJust).put(child.get);
          (Just(child), 1)
      }
  }
}

// An empty child shuts down when asked, and is forgotten.
Peek<#p> peekChild(Maybe<ProcessTree<#p>> mChild) {
  switch mChild {
    case Nothing: Gone
    case Just(child):
      child.put(PeekMinOrClose);
      switch (child.get) {
        case MinAt: Min(child.get, child)
        case Empty: Gone
      }
  }
}

// ---- a user of the tree ----------------------------------------------------

/// The answer of one worker: one Int, then the channel closes.
protocol Job = get Int, close;

/// Computes n! and sends it.
process factorialWorker(neg<Job> result, Int n) {
  result.put(factorial(n, 1));
}

fold {
  Int factorial(fold by Int n, Int acc) {
    if (n <= 1) { acc } else { factorial(n - 1, acc * n) }
  }
}

/// Starts a worker for `n` and stores its channel at index `n`.
void startJob(ProcessTree<Job> tree, PutSeq<Char> out, Int n) {
  Job job;
  factorialWorker(~job, n);
  tree.put(PutProc).put(n).put(job);
  switch (tree.get) {
    case GNothing:
      writeLine(out, concat("started job ", show(n)));
    case GJust:
      let old = tree.get;
      writeLine(out, concat("job ", concat(show(n), concat(" replaced; its answer was ", show(old.get)))));
  }
}

void startAll(ProcessTree<Job> tree, PutSeq<Char> out, [Int] numbers) {
  switch numbers {
    case []:
    case (n:rest):
      startJob(tree, out, n);
      startAll(tree, out, rest);
  }
}

/// Takes the jobs out lowest index first; the tree shuts down when empty.
void collectAll(ProcessTree<Job> tree, PutSeq<Char> out) {
  tree.put(PeekMinOrClose);
  switch (tree.get) {
    case Empty:
      writeLine(out, "all jobs collected");
    case MinAt:
      let k = tree.get;
      tree.put(TakeProc).put(k);
      switch (tree.get) {
        case GNothing:
          writeLine(out, "impossible: the minimum vanished");
        case GJust:
          let job = tree.get;
          writeLine(out, concat(show(k), concat("! = ", show(job.get))));
      }
      collectAll(tree, out);
  }
}

process main(PutSeq<Char> out) {
  ProcessTree<Job> tree;
  emptyProcessTree(~tree);
  startAll(tree, out, [5, 1, 12, 7, 20, 1, 3]);
  tree.put(GetProcCount);
  writeLine(out, concat("jobs running: ", show(tree.get)));
  collectAll(tree, out);
  out.put(StopPut);
}

main(stdout);

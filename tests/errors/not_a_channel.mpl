// `.get` on an Int.
Int f(Int x) { x.get }

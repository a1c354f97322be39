// A destructor no codata type declares.
codata Box<t> { t get1(); }
Int f(Box<Int> b) { b.open() }

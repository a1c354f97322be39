// Two codata types declare `head`; the type of `s` is not known here.
codata A { Int head(); }
codata B { Int head(); }
Int first(s) { s.head() }

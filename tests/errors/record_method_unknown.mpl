// A record defines a destructor its codata type does not declare.
codata Box { Int value(); }
Box make() { record Box { Int value() { 1 } Int size() { 2 } } }

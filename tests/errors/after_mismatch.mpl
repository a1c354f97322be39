// `.after<...>` must follow the protocol's steps: `Two` starts by sending.
protocol Two = put Int, put Int, close;
void rest(Two.after<get> c) { }

// A protocol with a parenthesized inner (anonymous) choice: after a
// Withdraw request the bank answers Ok with the new balance, or
// Insufficient; `loop` inside the inner choice goes back to Account.
protocol Account = put Withdraw: put Int, ( get Ok: get Int, loop
                                          | get Insufficient: loop )
                 | put Balance: get Int, loop
                 | put CloseAccount: close;

process bank(neg<Account> c, Int balance) {
  switch (c.get) {
    case Withdraw:
      let amount = c.get;
      if (amount <= balance) {
        c.put(Ok).put(balance - amount);
        bank(c, balance - amount);
      } else {
        c.put(Insufficient);
        bank(c, balance);
      }
    case Balance:
      c.put(balance);
      bank(c, balance);
    case CloseAccount:
  }
}

void withdraw(Account c, Int amount, PutSeq<Char> out) {
  c.put(Withdraw).put(amount);
  switch (c.get) {
    case Ok:
      writeLine(out, concat("ok, left ", show(c.get)));
    case Insufficient:
      writeLine(out, concat("insufficient for ", show(amount)));
  }
}

process main(Account c, PutSeq<Char> out) {
  withdraw(c, 30, out);
  withdraw(c, 100, out);
  withdraw(c, 70, out);
  c.put(Balance);
  writeLine(out, concat("balance ", show(c.get)));
  c.put(CloseAccount);
  out.put(StopPut);
}

bank(~acct, 100);
main(acct, stdout);

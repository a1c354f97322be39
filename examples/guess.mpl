// The guessing game from the research report.
// Run: mpl run examples/guess.mpl
//
// The secret number (1 to 100) is drawn from the time service, as the
// report does: the microsecond timer modulo 100, plus one. Type a guess and
// press Enter; the game answers until you find it. Ending the input early
// (Ctrl-D) stops the program with "input exhausted" (exit code 3).
// (conformance/programs/guess_fixed.mpl is the repeatable variant that
// takes the secret from the command line.)
//
// `play` is a function that borrows both terminal channels: it blocks
// while it waits for a line, and gives the channels back, still open, when
// it returns. `guessingGame` then closes them.
process guessingGame(TimeService time, GetSeq<Char> input, PutSeq<Char> output) {
  time.put(GetCpuTimerMicroseconds);
  let secret = time.get % 100 + 1;
  time.put(StopTimeService);
  writeLine(output, "I'm thinking of a number between 1 and 100. Guess it!");
  let tries = play(secret, input, output, 1);
  let noun = if (tries == 1) { "guess" } else { "guesses" };
  writeLine(output, concat("You needed ", concat(show(tries), concat(" ", concat(noun, ".")))));
  input.put(StopGet);
  output.put(StopPut);
}

/// Asks until the guess is right; returns how many guesses it took.
Int play(Int secret, GetSeq<Char> input, PutSeq<Char> output, Int tries) {
  switch (strToInt(trim(readLine(input)))) {
    case Nothing:
      writeLine(output, "That's not a number. Guess again!");
      play(secret, input, output, tries)
    case Just(guess):
      if (guess < secret) {
        writeLine(output, "Too low! Guess again!");
        play(secret, input, output, tries + 1)
      } else if (guess > secret) {
        writeLine(output, "Too high! Guess again!");
        play(secret, input, output, tries + 1)
      } else {
        writeLine(output, concat("Right on! I was thinking of ", concat(show(secret), "!")));
        tries
      }
  }
}

guessingGame(timeService, stdin, stdout);

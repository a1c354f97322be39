// File system answers that do not depend on the folder the program runs
// in: paths that leave the allowed folders are refused, a missing file is
// reported as missing, and writing needs --allow-write.
void readShow(FileSystem fs, PutSeq<Char> out, String path) {
  fs.put(ReadFile).put(path);
  switch (fs.get) {
    case Contents:
      writeLine(out, concat("contents?! ", bytesToString(fs.get)));
    case ReadFailed:
      writeLine(out, concat("read failed: ", fs.get));
  }
}

void openShow(FileSystem fs, PutSeq<Char> out, String path) {
  fs.put(OpenFile).put(path);
  switch (fs.get) {
    case Opened:
      let f = fs.get;
      f.put(CloseFile);
      writeLine(out, "opened?!");
    case OpenFailed:
      writeLine(out, concat("open failed: ", fs.get));
  }
}

process main(FileSystem fs, PutSeq<Char> out) {
  readShow(fs, out, "../secret.txt");
  readShow(fs, out, "/etc/passwd");
  readShow(fs, out, "no_such_folder_here/missing.txt");
  openShow(fs, out, "a/../../b");
  fs.put(ListDir).put("..");
  switch (fs.get) {
    case Entries:
      writeLine(out, concat("entries?! ", show(fs.get)));
    case ListFailed:
      writeLine(out, concat("list failed: ", fs.get));
  }
  fs.put(WriteFile).put("out.txt").put(stringToBytes("x"));
  switch (fs.get) {
    case Written:
      writeLine(out, "written?!");
    case WriteFailed:
      writeLine(out, concat("write failed: ", fs.get));
  }
  fs.put(StopFileSystem);
  out.put(StopPut);
}

main(fileSystem, stdout);

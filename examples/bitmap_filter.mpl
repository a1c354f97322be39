// The report's bitmap filter: a 2D convolution (blur, edge detection) over
// an image stored as a list of rows, first sequentially, then split into
// bands of rows that worker processes compute in parallel. The channels to
// the workers are kept in a list (channels inside data) and read in order,
// so the result is the same however the workers are scheduled.
// Run: mpl run examples/bitmap_filter.mpl        (3 workers)
//      mpl run examples/bitmap_filter.mpl 8      (8 workers)

// ---- the image ---------------------------------------------------------------

/// A test picture: a bright ellipse on a left-to-right gradient.
Int pixel(Int x, Int y) {
  let dx = x - 20;
  let dy = y - 7;
  if (dx * dx * 36 + dy * dy * 196 <= 2800) { 255 } else { x * 5 }
}

[Int] makeRow(Int y, Int x, Int width) {
  if (x >= width) { [] } else { pixel(x, y) : makeRow(y, x + 1, width) }
}

[[Int]] makeImage(Int y, Int width, Int height) {
  if (y >= height) { [] } else { makeRow(y, 0, width) : makeImage(y + 1, width, height) }
}

// ---- the filter --------------------------------------------------------------

/// Weighted sum of one row of pixels (from column 0) and one kernel row.
Float dot([Int] pixels, [Float] weights) {
  switch weights {
    case []: 0.0
    case (w:ws): w * intToFloat(unwrap(head(pixels), 0)) + dot(tail(pixels), ws)
  }
}

/// Weighted sum of the window's top-left corner under the whole kernel.
Float weighted([[Int]] window, [[Float]] kernel) {
  switch kernel {
    case []: 0.0
    case (krow:krest): dot(unwrap(head(window), []), krow) + weighted(tail(window), krest)
  }
}

/// Every row without its first pixel: the window moves one column right.
[[Int]] dropColumn([[Int]] rows) {
  switch rows {
    case []: []
    case (row:rest): tail(row) : dropColumn(rest)
  }
}

Int clip(Float f) {
  if (f < 0.0) { 0 } else if (f > 255.0) { 255 } else { floatToInt(f) }
}

/// One output row: `width` windows, left to right.
[Int] filterRow([[Int]] window, [[Float]] kernel, Float offset, Int width) {
  if (width <= 0) {
    []
  } else {
    clip(offset + weighted(window, kernel)) : filterRow(dropColumn(window), kernel, offset, width - 1)
  }
}

/// `rows` output rows, starting at the top of `image`.
[[Int]] filterRows([[Int]] image, [[Float]] kernel, Float offset, Int width, Int rows) {
  if (rows <= 0) {
    []
  } else {
    filterRow(take(length(kernel), image), kernel, offset, width)
      : filterRows(tail(image), kernel, offset, width, rows - 1)
  }
}

Int imageWidth([[t]] image) { length(unwrap(head(image), [])) }

/// The whole filtered image ("valid" convolution: it shrinks by the kernel size - 1).
[[Int]] filterImage([[Int]] image, [[Float]] kernel, Float offset) {
  let width = imageWidth(image) - imageWidth(kernel) + 1;
  let rows = length(image) - length(kernel) + 1;
  filterRows(image, kernel, offset, width, rows)
}

// ---- in parallel -------------------------------------------------------------

/// A band of output rows, computed by a worker.
protocol Band = get [[Int]], close;

process bandWorker(neg<Band> result, [[Int]] slice, [[Float]] kernel, Float offset,
                   Int width, Int rows) {
  result.put(filterRows(slice, kernel, offset, width, rows));
}

/// Starts one worker per band of at most `perBand` output rows.
[Band] startBands([[Int]] image, [[Float]] kernel, Float offset, Int width,
                  Int rowsLeft, Int perBand) {
  if (rowsLeft <= 0) {
    []
  } else {
    let rows = min(perBand, rowsLeft);
    Band band;
    bandWorker(~band, take(rows + length(kernel) - 1, image), kernel, offset, width, rows);
    band : startBands(skip(rows, image), kernel, offset, width, rowsLeft - rows, perBand)
  }
}

[[Int]] collectBands([Band] bands) {
  switch bands {
    case []: []
    case (band:rest):
      let part = band.get;
      part ++ collectBands(rest)
  }
}

[[Int]] filterInParallel([[Int]] image, [[Float]] kernel, Float offset, Int workers) {
  let width = imageWidth(image) - imageWidth(kernel) + 1;
  let rows = length(image) - length(kernel) + 1;
  let perBand = (rows + workers - 1) / workers;
  collectBands(startBands(image, kernel, offset, width, rows, perBand))
}

// ---- output ------------------------------------------------------------------

Func<Int, Char> shade() {
  record Func<Int, Char> {
    Char call(Int v) {
      let palette = " .:-=+*#%@";
      palette[v * 10 / 256, '@']
    }
  }
}

void printImage(PutSeq<Char> out, [[Int]] image) {
  switch image {
    case []:
    case (row:rest):
      writeLine(out, map(shade(), row));
      printImage(out, rest);
  }
}

process main(PutSeq<Char> out, Int workers) {
  let image = makeImage(0, 40, 15);
  let blur = [[0.0625, 0.125, 0.0625],
              [0.125,  0.25,  0.125],
              [0.0625, 0.125, 0.0625]];
  let edges = [[-1.0, 0.0, 1.0],
               [-2.0, 0.0, 2.0],
               [-1.0, 0.0, 1.0]];
  writeLine(out, "original:");
  printImage(out, image);
  let blurred = filterImage(image, blur, 0.0);
  writeLine(out, "blurred:");
  printImage(out, blurred);
  let vertical = filterImage(image, edges, 128.0);
  writeLine(out, "vertical edges:");
  printImage(out, vertical);
  let workerCount = max(1, workers);
  writeLine(out, concat("same result with ", concat(show(workerCount), concat(" workers: ",
    show(filterInParallel(image, blur, 0.0, workerCount) == blurred
         && filterInParallel(image, edges, 128.0, workerCount) == vertical)))));
  out.put(StopPut);
}

main(stdout, unwrap(strToInt(args[0, ""]), 3));

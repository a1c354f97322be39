// bench: bitmap. The bitmap filter of examples/bitmap_filter.mpl (its
// filter and band code, copied unchanged) on a SIZE x SIZE image (default
// 1000) with pixel = (x*7 + y*13) % 256 and a 5x5 box-like kernel, split
// into WORKERS bands (default 2). Prints the sum of the filtered pixels.
// Compare `mpl run --threads 1` with `--threads 2`.
// Run: mpl run --threads 2 bench/workloads/bitmap.mpl [SIZE] [WORKERS]

// ---- the image ---------------------------------------------------------------

Int pixel(Int x, Int y) { (x * 7 + y * 13) % 256 }

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

Int sumRow([Int] row, Int acc) {
  switch row {
    case []: acc
    case (v:rest): sumRow(rest, acc + v)
  }
}

Int sumImage([[Int]] image, Int acc) {
  switch image {
    case []: acc
    case (row:rest): sumImage(rest, sumRow(row, acc))
  }
}

process main(PutSeq<Char> out, Int size, Int workers) {
  let image = makeImage(0, size, size);
  let kernel = [[0.02, 0.04, 0.04, 0.04, 0.02],
                [0.04, 0.04, 0.04, 0.04, 0.04],
                [0.04, 0.04, 0.08, 0.04, 0.04],
                [0.04, 0.04, 0.04, 0.04, 0.04],
                [0.02, 0.04, 0.04, 0.04, 0.02]];
  let filtered = filterInParallel(image, kernel, 0.0, max(1, workers));
  writeLine(out, concat("rows: ", concat(show(length(filtered)), concat(", sum: ", show(sumImage(filtered, 0))))));
  out.put(StopPut);
}

main(stdout, unwrap(strToInt(args[0, ""]), 1000), unwrap(strToInt(args[1, ""]), 2));

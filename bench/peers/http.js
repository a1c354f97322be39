// Node.js peer of Pluto for the http workload: a plain static file server,
// each request's file read with fs.readFile. Run: node http.js PORT ROOT
const http = require("http");
const fs = require("fs");
const path = require("path");
const port = Number(process.argv[2] || 18084);
const base = path.resolve(process.argv[3] || ".");
http
  .createServer((req, res) => {
    const url = decodeURIComponent(req.url.split("?")[0]);
    const file = path.resolve(base, "." + path.posix.normalize(url));
    if (!file.startsWith(base + path.sep)) {
      res.writeHead(403);
      return res.end();
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { "Content-Type": "text/html", "Content-Length": data.length });
      res.end(data);
    });
  })
  .listen(port, "127.0.0.1");

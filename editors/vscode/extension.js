// Starts `mpl lsp` (the path is the setting `mpl.server.path`) for `.mpl`
// files, and stops it when the extension is deactivated.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("mpl").get("server.path", "mpl");
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "mpl",
    "MPL language server",
    { run: server, debug: server },
    { documentSelector: [{ language: "mpl" }] }
  );
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("mpl.server.path")) {
        vscode.window.showInformationMessage("Reload the window to use the new mpl path.");
      }
    })
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

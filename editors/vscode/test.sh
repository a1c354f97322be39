#!/usr/bin/env bash
# Checks the TextMate grammar against the scopes written in test/*.mpl
# (vscode-tmgrammar-test, from npm). Not part of CI: it needs npm.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --silent
npx vscode-tmgrammar-test -g syntaxes/mpl.tmLanguage.json 'test/*.test.mpl'

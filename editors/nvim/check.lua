-- Drives Neovim's built-in LSP client against `pullcheck lsp`, headless, and prints what the editor
-- shows: each diagnostic with its place, severity, rule and the exact text it underlines. Then it
-- fixes nothing, asks the server to shut down, and exits with 0 when diagnostics arrived and the
-- server exited cleanly, 1 otherwise. Neovim 0.9 or later.
--
--   PULLCHECK=target/debug/pullcheck nvim --headless -u NONE -c 'luafile editors/nvim/check.lua' FILE
--
-- PULLCHECK is the binary to run (default: `pullcheck` on the PATH). PULLCHECK_ENCODING=utf-16
-- (or utf-32) makes the client offer only that position encoding (Neovim offers utf-8 too, which
-- pullcheck prefers). With PULLCHECK_EDIT=OLD=>NEW, the buffer is then edited in place (the first
-- OLD of each line replaced by NEW, as typing would) and the diagnostics printed again, to see them
-- follow the edit without saving.

local function say(text)
  io.stdout:write(text .. '\n')
end

local function finish(status)
  io.stdout:flush()
  vim.cmd('cquit ' .. status)
end

if vim.fn.has('nvim-0.9') == 0 then
  local v = vim.version()
  say(string.format('needs Neovim 0.9 or later (vim.lsp.start, vim.fs); this is %d.%d.%d', v.major, v.minor, v.patch))
  finish(2)
end

local buf = vim.api.nvim_get_current_buf()
local file = vim.api.nvim_buf_get_name(buf)
if file == '' then
  say('usage: nvim --headless -u NONE -c "luafile editors/nvim/check.lua" FILE')
  finish(2)
end
-- With -u NONE there is no filetype detection: the language id comes from the file type.
vim.bo[buf].filetype = file:match('%.json$') and 'json' or 'yaml'

local marker = vim.fs.find({ '.pullcheck.yaml', '.git' }, { upward = true, path = vim.fs.dirname(file) })[1]
local capabilities = vim.lsp.protocol.make_client_capabilities()
local encoding = os.getenv('PULLCHECK_ENCODING')
if encoding and encoding ~= '' then
  capabilities.general = capabilities.general or {}
  capabilities.general.positionEncodings = { encoding }
end
local exit_code
local client_id = vim.lsp.start({
  name = 'pullcheck',
  cmd = { os.getenv('PULLCHECK') or 'pullcheck', 'lsp' },
  capabilities = capabilities,
  root_dir = marker and vim.fs.dirname(marker) or vim.fs.dirname(file),
  on_exit = function(code)
    exit_code = code
  end,
}, { bufnr = buf })
if not client_id then
  say('the language server did not start')
  finish(1)
end

local severities = { 'error', 'warning', 'info', 'hint' }

local function show()
  local diagnostics = vim.diagnostic.get(buf)
  table.sort(diagnostics, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  for _, d in ipairs(diagnostics) do
    -- Neovim has turned the server's positions into byte columns of the buffer.
    local text = vim.api.nvim_buf_get_text(buf, d.lnum, d.col, d.end_lnum, d.end_col, {})
    say(string.format('%d:%d-%d:%d %s[%s] `%s`: %s', d.lnum + 1, d.col + 1, d.end_lnum + 1, d.end_col + 1,
      severities[d.severity], d.code or '', table.concat(text, '\\n'), vim.split(d.message, '\n')[1]))
  end
  return #diagnostics
end

-- Waits for the server to publish for the buffer's current version.
local function published()
  local done = false
  local id = vim.api.nvim_create_autocmd('DiagnosticChanged', {
    buffer = buf,
    callback = function()
      done = true
    end,
  })
  local arrived = vim.wait(10000, function()
    return done
  end, 20)
  vim.api.nvim_del_autocmd(id)
  return arrived
end

local ok = published()
local client = vim.lsp.get_client_by_id(client_id)
say(string.format('server: %s %s, position encoding %s', client.server_info and client.server_info.name or '?',
  client.server_info and client.server_info.version or '?', client.offset_encoding))
if not ok then
  say('no diagnostics within 10 s')
  finish(1)
end
local found = show()
say(string.format('%d diagnostic(s)', found))

local edit = os.getenv('PULLCHECK_EDIT')
if edit and edit ~= '' then
  local old, new = edit:match('^(.-)=>(.*)$')
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  for i, line in ipairs(lines) do
    local from = line:find(old, 1, true)
    if from then
      vim.api.nvim_buf_set_text(buf, i - 1, from - 1, i - 1, from - 1 + #old, { new })
    end
  end
  if not published() then
    say('no diagnostics after the edit within 10 s')
    finish(1)
  end
  say(string.format('after %s: %d diagnostic(s)', edit, show()))
end

vim.lsp.stop_client(client_id)
vim.wait(5000, function()
  return exit_code ~= nil
end, 20)
say(string.format('server exit code: %s', tostring(exit_code)))
finish((found > 0 and exit_code == 0) and 0 or 1)

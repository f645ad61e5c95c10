-- Neovim (0.7+) as a second real LSP client: starts `unit-harden lsp --stdio` for the buffer given on
-- the command line, waits for diagnostics, asks for a hover, a code action (and applies its edit),
-- completion and document symbols, and writes what it saw as JSON to $UNIT_HARDEN_NVIM_OUT.
-- Exits with `cquit 1` and a message on stderr when anything fails.

local out_path = os.getenv('UNIT_HARDEN_NVIM_OUT')
local node = os.getenv('UNIT_HARDEN_NODE') or 'node'
local timeout_ms = tonumber(os.getenv('UNIT_HARDEN_NVIM_TIMEOUT_MS') or '') or 15000

-- The repository root, from this file's own path (test/nvim/lsp.lua).
local this_file = debug.getinfo(1, 'S').source:gsub('^@', '')
local repo = vim.fn.fnamemodify(this_file, ':p:h:h:h')

vim.o.swapfile = false
vim.o.shada = ''

local function write_json(tbl)
  if not out_path then return end
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.fn.json_encode(tbl))
  f:close()
end

local function fail(msg)
  io.stderr:write('nvim-lsp: ' .. msg .. '\n')
  write_json({ error = msg })
  vim.cmd('cquit 1')
end

local function wait_for(what, pred)
  local ok = vim.wait(timeout_ms, pred, 20)
  if not ok then error('timed out after ' .. timeout_ms .. ' ms waiting for ' .. what, 0) end
end

-- Our diagnostics as Neovim stores them (vim.diagnostic), sorted by line.
local function lsp_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local l = (d.user_data and d.user_data.lsp) or {}
    table.insert(out, {
      line = d.lnum,
      col = d.col,
      end_col = d.end_col,
      severity = d.severity,
      code = d.code or l.code,
      source = d.source,
      message = d.message,
    })
  end
  table.sort(out, function(a, b) return a.line < b.line end)
  return out
end

local function request(bufnr, method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, timeout_ms)
  if not responses then error(method .. ' failed: ' .. tostring(err), 0) end
  for _, r in pairs(responses) do
    if r.error then error(method .. ' returned an error: ' .. vim.inspect(r.error), 0) end
    return r.result
  end
  error(method .. ': no response', 0)
end

local function main()
  if not out_path then error('UNIT_HARDEN_NVIM_OUT is not set', 0) end
  local bufnr = vim.api.nvim_get_current_buf()
  local file = vim.api.nvim_buf_get_name(bufnr)
  if file == '' then error('no file given on the command line', 0) end
  -- Neovim 0.7 has no file type for .service: attach the client to the buffer ourselves.
  local server_info
  local client_id = vim.lsp.start_client({
    name = 'unit-harden',
    cmd = { node, repo .. '/bin/unit-harden.js', 'lsp', '--stdio' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
    init_options = { settings = { target = { systemdVersion = '252' } } },
    on_init = function(_, result) server_info = result.serverInfo end,
    on_exit = function(code, signal)
      if code ~= 0 and code ~= nil then io.stderr:write(('nvim-lsp: server exited with %s (signal %s)\n'):format(code, signal)) end
    end,
  })
  if not client_id then error('vim.lsp.start_client returned nil', 0) end
  if not vim.lsp.buf_attach_client(bufnr, client_id) then error('buf_attach_client failed', 0) end
  local results = { nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch }

  wait_for('the server to initialize', function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c ~= nil and c.server_capabilities ~= nil and c.server_capabilities.hoverProvider ~= nil
  end)
  results.server_name = server_info and server_info.name

  -- 1. Diagnostics.
  -- The two typos are errors; the hints (hot syscalls, what ~@privileged removes) come with them.
  local function errors() return #vim.diagnostic.get(bufnr, { severity = vim.diagnostic.severity.ERROR }) end
  wait_for('two error diagnostics', function() return errors() >= 2 end)
  local diags = lsp_diagnostics(bufnr)
  results.diagnostics = {}
  for _, d in ipairs(diags) do
    table.insert(results.diagnostics, { line = d.line, col = d.col, end_col = d.end_col, severity = d.severity, code = d.code, source = d.source, message = d.message })
  end

  local uri = vim.uri_from_bufnr(bufnr)
  local function line_of(prefix)
    for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
      if vim.startswith(l, prefix) then return i - 1 end
    end
    error('no line starting with ' .. prefix, 0)
  end

  -- 2. Hover on a directive key.
  local hover = request(bufnr, 'textDocument/hover', { textDocument = { uri = uri }, position = { line = line_of('SystemCallFilter='), character = 3 } })
  local contents = hover and hover.contents
  results.hover = type(contents) == 'table' and (contents.value or contents[1]) or contents

  -- 3. Code action for the ProtectDevices= typo, applied with the utf-16 offset encoding.
  local target
  for _, d in ipairs(diags) do
    if d.line == line_of('ProtectDevices=') then target = d end
  end
  if not target then error('no diagnostic on the ProtectDevices= line', 0) end
  -- The diagnostics in LSP form, as Neovim's own vim.lsp.buf.code_action() sends them.
  local line_diags = vim.lsp.diagnostic.get_line_diagnostics(bufnr, target.line)
  if #line_diags ~= 1 then error('expected one LSP diagnostic on the line, got ' .. vim.inspect(line_diags), 0) end
  local actions = request(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = uri },
    range = line_diags[1].range,
    context = { diagnostics = line_diags },
  }) or {}
  results.code_actions = {}
  local fix
  for _, a in ipairs(actions) do
    table.insert(results.code_actions, a.title)
    if a.title == 'Replace with PrivateDevices=' then fix = a end
  end
  if not fix or not fix.edit then error('no "Replace with PrivateDevices=" action with an edit: ' .. vim.inspect(actions), 0) end
  local fixed_line = target.line
  vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
  results.edited_line = vim.api.nvim_buf_get_lines(bufnr, fixed_line, fixed_line + 1, false)[1]
  wait_for('one error diagnostic after the fix', function() return errors() == 1 end)
  results.diagnostics_after_fix = {}
  for _, d in ipairs(lsp_diagnostics(bufnr)) do
    table.insert(results.diagnostics_after_fix, { line = d.line, code = d.code })
  end

  -- 4. Completion of a directive name typed in [Service].
  local at = line_of('Type=')
  vim.api.nvim_buf_set_lines(bufnr, at, at, false, { 'SystemCall' })
  local completion = request(bufnr, 'textDocument/completion', { textDocument = { uri = uri }, position = { line = at, character = 10 } })
  local items = completion and (completion.items or completion) or {}
  results.completion_labels = {}
  for _, item in ipairs(items) do table.insert(results.completion_labels, item.label) end
  table.sort(results.completion_labels)
  vim.api.nvim_buf_set_lines(bufnr, at, at + 1, false, {})

  -- 5. Document symbols.
  local symbols = request(bufnr, 'textDocument/documentSymbol', { textDocument = { uri = uri } }) or {}
  results.symbols = {}
  for _, s in ipairs(symbols) do
    table.insert(results.symbols, { name = s.name, children = #(s.children or {}) })
  end

  -- Stop the server cleanly before leaving.
  vim.lsp.stop_client(client_id)
  wait_for('the server to stop', function() return vim.lsp.client_is_stopped(client_id) end)
  write_json(results)
  vim.cmd('qall!')
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    local ok, err = xpcall(main, debug.traceback)
    if not ok then fail(tostring(err)) end
  end,
})

-- pullcheck's language server in Neovim's built-in LSP client: copy this into your init.lua (or
-- put it in ~/.config/nvim/plugin/pullcheck.lua). YAML and JSON buffers get pullcheck's findings
-- as you type, with the .pullcheck.yaml found from each file's directory upward.
local cmd = { 'pullcheck', 'lsp' }
local root_markers = { '.pullcheck.yaml', '.git' }

if vim.lsp.config and vim.lsp.enable then
  -- Neovim 0.11 and later.
  vim.lsp.config('pullcheck', { cmd = cmd, filetypes = { 'yaml', 'json' }, root_markers = root_markers })
  vim.lsp.enable('pullcheck')
else
  -- Neovim 0.9 and 0.10.
  vim.api.nvim_create_autocmd('FileType', {
    pattern = { 'yaml', 'json' },
    callback = function(args)
      local file = vim.api.nvim_buf_get_name(args.buf)
      local marker = vim.fs.find(root_markers, { upward = true, path = vim.fs.dirname(file) })[1]
      vim.lsp.start({
        name = 'pullcheck',
        cmd = cmd,
        root_dir = vim.fs.dirname(marker or file),
      }, { bufnr = args.buf })
    end,
  })
end

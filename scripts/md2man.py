#!/usr/bin/env python3
"""Renders a Markdown document (the subset docs/*.md use) as a man page, so that
ftpchat-format(5) and docs/FORMAT.md are one source. Usage: md2man.py IN.md OUT NAME SECTION
DESCRIPTION. Headings become .SH/.SS, code blocks and tables preformatted text, lists .IP."""
import re
import sys


def escape(text):
    text = text.replace('\\', '\\e')
    return text


def inline(text):
    text = escape(text)
    text = re.sub(r'\[([^\]]+)\]\([^)]+\)', r'\1', text)
    text = re.sub(r'\*\*([^*]+)\*\*', r'\\fB\1\\fR', text)
    text = re.sub(r'`([^`]+)`', r'\\fB\1\\fR', text)
    return text


def safe_line(line):
    return '\\&' + line if line.startswith(('.', "'")) else line


def convert(md, name, section, description):
    out = ['.TH %s %s "" "ftpchatfs" "File Formats"' % (name.upper(), section),
           '.SH NAME', '%s \\- %s' % (name, description), '.SH DESCRIPTION']
    lines = md.splitlines()
    i = 0
    para = []

    def flush():
        if para:
            out.append('.PP')
            out.extend(safe_line(l) for l in inline('\n'.join(para)).split('\n'))
            para.clear()

    while i < len(lines):
        line = lines[i]
        if line.startswith('```'):
            flush()
            out += ['.PP', '.RS 4', '.nf']
            i += 1
            while i < len(lines) and not lines[i].startswith('```'):
                out.append(safe_line(escape(lines[i])))
                i += 1
            out += ['.fi', '.RE']
        elif line.startswith('|'):
            flush()
            out += ['.PP', '.RS 4', '.nf']
            while i < len(lines) and lines[i].startswith('|'):
                if not re.match(r'^\|[-:| ]+\|$', lines[i]):
                    cells = [c.strip() for c in lines[i].strip('|').split('|')]
                    out.append(safe_line(inline(' | '.join(cells))))
                i += 1
            out += ['.fi', '.RE']
            continue
        elif line.startswith('# '):
            flush()
        elif line.startswith('## '):
            flush()
            out.append('.SH "%s"' % inline(line[3:]).upper().replace('"', ''))
        elif line.startswith('### '):
            flush()
            out.append('.SS "%s"' % inline(line[4:]).replace('"', ''))
        elif re.match(r'^(- |\d+\. )', line):
            flush()
            m = re.match(r'^(- |(\d+)\. )(.*)$', line)
            out.append('.IP "%s" 4' % (m.group(2) + '.' if m.group(2) else '\\(bu'))
            item = [m.group(3)]
            while i + 1 < len(lines) and lines[i + 1].startswith('  ') and lines[i + 1].strip():
                i += 1
                item.append(lines[i].strip())
            out.extend(safe_line(l) for l in inline('\n'.join(item)).split('\n'))
        elif not line.strip():
            flush()
        else:
            para.append(line.strip())
        i += 1
    flush()
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    src, dst, name, section, description = sys.argv[1:6]
    with open(src, encoding='utf-8') as f:
        page = convert(f.read(), name, section, description)
    with open(dst, 'w', encoding='utf-8') as f:
        f.write(page)

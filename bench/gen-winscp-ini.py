#!/usr/bin/env python3
"""gen-winscp-ini.py N OUT [no-default]: a WinSCP.ini with N sites in folders, shaped like WinSCP 6
writes one (CRLF, a [Configuration] part with a 3,800-byte ToolbarsLayout line, Default Settings
unless no-default, about a dozen keys a site, a quarter of them with keepalives in some form)."""
import random, sys

n, path = int(sys.argv[1]), sys.argv[2]
random.seed(5)
layout = ','.join('Item%d=1:%d:%d:0' % (i, i * 20, i % 3) for i in range(230))
out = ['[Configuration]', 'ConfigurationVersion=6.3.5.14991', '[Configuration\\Interface]',
       'Theme=1', 'ToolbarsLayout=' + layout, '']
if sys.argv[3:] != ['no-default']:
    out += ['[Sessions\\Default%20Settings]', 'UserName=deploy', 'FSProtocol=2', '']
for s in range(n):
    out.append('[Sessions\\Team%%20%02d/host%%20%06d]' % (s % 40, s))
    out.append('HostName=host%06d.example.com' % s)
    out.append('UserName=user%d' % (s % 97))
    out.append('PortNumber=%d' % random.choice([22, 22, 22, 2222]))
    out.append('LocalDirectory=C:%5CUsers%5Cdemo%5CDocuments%5Cproject%20' + str(s % 300))
    out.append('RemoteDirectory=/srv/www/site%d/htdocs' % s)
    kind = s % 4
    if kind == 1:
        out += ['PingType=2', 'PingInterval=0', 'PingIntervalSecs=%d' % random.choice([20, 45])]
    elif kind == 2:
        out += ['PingType=0', 'PingIntervalSec=300']
    elif kind == 3:
        out += ['PingType=1']
    out.append('Note=site %d; notes with = and # and "quotes"' % s)
    out.append('FSProtocol=%d' % random.choice([0, 2, 5]))
    out.append('')
open(path, 'wb').write(('\r\n'.join(out) + '\r\n').encode())

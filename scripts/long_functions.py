#!/usr/bin/env python3
"""Lists Swift functions, initializers, subscripts and computed properties longer than N lines.

    scripts/long_functions.py N PATH... 

Exits 1 when one is longer than N lines and no comment in its first three lines says why it
"stays long" (a catalogue switch or a data table). Brace matching skips comments and
string literals.
"""
import re, sys, os

def strip(src):
    # replace string and comment contents with spaces, keep newlines
    out=[];i=0;n=len(src)
    while i<n:
        c=src[i]
        if src.startswith('//',i):
            j=src.find('\n',i); j=n if j<0 else j
            out.append(' '*(j-i)); i=j; continue
        if src.startswith('/*',i):
            j=src.find('*/',i); j=n if j<0 else j+2
            out.append(re.sub(r'[^\n]',' ',src[i:j])); i=j; continue
        if src.startswith('"""',i) or c=='"' or (c=='#' and src.startswith('#"',i)):
            hashes=0
            while src[i+hashes]=='#': hashes+=1
            k=i+hashes
            if src.startswith('"""',k): q='"""'
            else: q='"'
            j=k+len(q); close=q+'#'*hashes
            depth=0
            while j<n:
                if src[j]=='\\' and hashes==0:
                    if src[j+1]=='(':
                        # interpolation: skip balanced parens (strings inside ignored approx)
                        d=0;j+=1
                        while j<n:
                            if src[j]=='(': d+=1
                            elif src[j]==')':
                                d-=1
                                if d==0: break
                            elif src[j]=='"':
                                # nested simple string
                                j+=1
                                while j<n and src[j]!='"':
                                    if src[j]=='\\': j+=1
                                    j+=1
                            j+=1
                        j+=1; continue
                    j+=2; continue
                if src.startswith(close,j):
                    j+=len(close); break
                j+=1
            out.append(re.sub(r'[^\n]',' ',src[i:j])); i=j; continue
        out.append(c); i+=1
    return ''.join(out)

DECL=re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|final|override|mutating|nonisolated|package|class|convenience|required)\s+)*(func\s+[^\s(<]+|init[?!]?|subscript\b|var\s+\w+)')

def scan(path, limit):
    src=open(path).read()
    s=strip(src)
    lines=s.split('\n')
    res=[]
    # offsets of line starts
    starts=[0]
    for l in lines: starts.append(starts[-1]+len(l)+1)
    for ln,line in enumerate(lines):
        m=DECL.match(line)
        if not m: continue
        name=m.group(1)
        # find first '{' after decl start (for var: needs '{' on same line before '=')
        pos=starts[ln]+m.end()
        if name.startswith('var'):
            rest=line[m.end():]
            if '{' not in rest or ('=' in rest and rest.index('=')<rest.index('{')): continue
        # find body open brace: first '{' at paren depth 0
        j=pos;p=0
        while j<len(s):
            ch=s[j]
            if ch in '([': p+=1
            elif ch in ')]': p-=1
            elif ch=='{' and p==0: break
            elif ch=='\n' and p==0 and name.startswith('var'): j=-1;break
            j+=1
        if j<0 or j>=len(s): continue
        d=0;k=j
        while k<len(s):
            if s[k]=='{': d+=1
            elif s[k]=='}':
                d-=1
                if d==0: break
            k+=1
        endln=s.count('\n',0,k)
        length=endln-ln+1
        if length>limit:
            head=src.split('\n')[ln+1:ln+4]
            allowed=any('//' in h and 'stays long' in h for h in head)
            res.append((length,path,ln+1,name,allowed))
    return res

limit=int(sys.argv[1]); paths=sys.argv[2:]
allr=[]
for root in paths:
    if os.path.isfile(root): files=[root]
    else:
        files=[os.path.join(dp,f) for dp,_,fs in os.walk(root) for f in fs if f.endswith('.swift')]
    for f in sorted(files): allr+=scan(f,limit)
bad=0
for length,path,ln,name,allowed in sorted(allr,key=lambda r:(r[1],r[2])):
    print(f"{length:5d} {path}:{ln} {name}" + (" (stays long)" if allowed else ""))
    bad+=0 if allowed else 1
sys.exit(1 if bad else 0)

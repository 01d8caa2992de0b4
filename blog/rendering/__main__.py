"""`python -m blog.rendering > blog/static/blog/code.css` writes the code stylesheet."""

from blog.rendering.highlight import stylesheet

print(stylesheet(), end="")

"""Figure helpers shared by every notebook: one palette, one way to draw each kind of chart.

Each module draws one kind of figure onto matplotlib axes it is given (or a new figure), using the
colours of :mod:`cchc_analysis.figures.palette`, so that the same dimension has the same colour in
every notebook. Saving is :func:`cchc_analysis.plotting.save_figure`.
"""

# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'plot_area.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QLabel, QSizePolicy, QVBoxLayout,
    QWidget)

from manager.widgets import GraphicsLayoutWidget

class Ui_PlotArea(object):
    def setupUi(self, PlotArea):
        if not PlotArea.objectName():
            PlotArea.setObjectName(u"PlotArea")
        PlotArea.resize(900, 600)
        self.layout = QVBoxLayout(PlotArea)
        self.layout.setSpacing(0)
        self.layout.setObjectName(u"layout")
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.plotReadout = QLabel(PlotArea)
        self.plotReadout.setObjectName(u"plotReadout")
        self.plotReadout.setTextFormat(Qt.RichText)

        self.layout.addWidget(self.plotReadout)

        self.glw = GraphicsLayoutWidget(PlotArea)
        self.glw.setObjectName(u"glw")

        self.layout.addWidget(self.glw)


        self.retranslateUi(PlotArea)

        QMetaObject.connectSlotsByName(PlotArea)
    # setupUi

    def retranslateUi(self, PlotArea):
        self.plotReadout.setText("")
        pass
    # retranslateUi


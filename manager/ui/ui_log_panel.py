# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'log_panel.ui'
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
from PySide6.QtWidgets import (QApplication, QPlainTextEdit, QSizePolicy, QVBoxLayout,
    QWidget)

class Ui_LogPanel(object):
    def setupUi(self, LogPanel):
        if not LogPanel.objectName():
            LogPanel.setObjectName(u"LogPanel")
        LogPanel.resize(800, 160)
        self.layout = QVBoxLayout(LogPanel)
        self.layout.setObjectName(u"layout")
        self.layout.setContentsMargins(0, 0, 0, 0)
        self.text = QPlainTextEdit(LogPanel)
        self.text.setObjectName(u"text")
        self.text.setReadOnly(True)
        self.text.setMaximumBlockCount(5000)

        self.layout.addWidget(self.text)


        self.retranslateUi(LogPanel)

        QMetaObject.connectSlotsByName(LogPanel)
    # setupUi

    def retranslateUi(self, LogPanel):
        pass
    # retranslateUi

